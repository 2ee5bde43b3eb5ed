package dev.lamina.cli;

import dev.lamina.Lamina;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code lamina} command: subcommands run, info, tokenize, logits (and template, when present). */
@Command(name = "lamina",
        mixinStandardHelpOptions = true,
        versionProvider = LaminaCommand.Version.class,
        description = "LLaMA-family inference on the JVM, straight from GGUF files.",
        subcommands = {RunCommand.class, InfoCommand.class, TokenizeCommand.class, LogitsCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Errors exit with status 1 and one line 'lamina: <message>' on stderr (--verbose adds the stack trace)."})
public final class LaminaCommand implements Runnable {
    /** Fully qualified name of the optional chat-template command (added by the template engineer). */
    static final String TEMPLATE_COMMAND = "dev.lamina.cli.TemplateCommand";

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
        addTemplateCommandIfPresent(cl);
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

    /*
     * The `template` subcommand lives in TemplateCommand.java, written separately; it is registered
     * here when it is on the class path so this file compiles with or without it.
     * (Once it exists for good, it can move into the `subcommands` list above.)
     */
    private static void addTemplateCommandIfPresent(CommandLine cl) {
        Class<?> type;
        try {
            type = Class.forName(TEMPLATE_COMMAND);
        } catch (ClassNotFoundException e) {
            return;
        }
        try {
            cl.addSubcommand("template", new CommandLine(type.getDeclaredConstructor().newInstance()));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + TEMPLATE_COMMAND + ": " + e, e);
        }
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
