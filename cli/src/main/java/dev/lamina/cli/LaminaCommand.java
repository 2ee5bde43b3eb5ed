package dev.lamina.cli;

import dev.lamina.Lamina;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code lamina} command: subcommands run, info, tokenize, logits, template. */
@Command(name = "lamina",
        mixinStandardHelpOptions = true,
        versionProvider = LaminaCommand.Version.class,
        description = "LLaMA-family inference on the JVM, straight from GGUF files.",
        subcommands = {RunCommand.class, InfoCommand.class, TokenizeCommand.class, LogitsCommand.class,
                TemplateCommand.class, QuantizeCommand.class, SynthCommand.class, SynthLoraCommand.class, BenchCommand.class,
                ChatCommand.class, EmbedCommand.class, BenchTokenizerCommand.class, dev.lamina.server.ServeCommand.class,
                dev.lamina.server.BenchServerCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Errors exit with status 1 and one line 'lamina: <message>' on stderr (--verbose adds the stack trace)."})
public final class LaminaCommand implements Runnable {
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On errors, print the full stack trace as well as the one-line message.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** A configured command line; tests call {@code execute} on it with their own out/err writers. */
    public static CommandLine commandLine() {
        LaminaCommand root = new LaminaCommand();
        CommandLine cl = new CommandLine(root);
        // "@name" is prompt text, never a request to read arguments from a file.
        cl.setExpandAtFiles(false);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, line, parseResult) -> {
            PrintWriter err = line.getErr();
            err.println("lamina: " + oneLine(ex));
            if (root.verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cl;
    }

    static String oneLine(Throwable ex) {
        String message = ex.getMessage();
        if (message == null || message.isBlank()) {
            message = ex.getClass().getSimpleName();
        }
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** Prints the CLI version with the native library's version and CPU variant. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String own = LaminaCommand.class.getPackage().getImplementationVersion();
            return new String[] {
                "lamina " + (own == null ? "(development build)" : own),
                "native library " + Lamina.nativeVersion() + ", CPU variant " + Lamina.cpuVariant(),
                "Java " + Runtime.version()
            };
        }
    }
}
