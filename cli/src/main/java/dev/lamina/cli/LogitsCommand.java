package dev.lamina.cli;

import dev.lamina.Logits;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lamina logits}: evaluates a prompt and writes every row of logits to a file; with
 * {@code --greedy N}, then decodes N greedy steps one token at a time, printing their ids and
 * (with {@code --decode-output}) writing the logits of each step.
 */
@Command(name = "logits", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes the logits after every prompt token to a float32 file.",
                "The prompt is evaluated in one batch; rows are float32 little-endian",
                "[n_tokens][n_vocab], the layout of the golden *.logits.f32 files. The prompt",
                "gets BOS as the model asks and special-token texts are parsed.",
                "",
                "With --greedy N, N greedy steps follow, one token per evaluation through the",
                "KV cache: token k is the argmax of the logits before it (token 0: of the last",
                "prompt row); their ids are printed on standard output on one line, separated",
                "by spaces (an end-of-generation token does not stop them). --decode-output",
                "writes the logits after feeding each: float32 little-endian [N][n_vocab], row",
                "k after token k (the argmax of row k is token k+1), the layout of the golden",
                "*.decode.f32 files."},
        footer = {"", "Examples:", "  lamina logits -m model.gguf -p 'Once upon a time' -o out.f32",
                "  lamina logits -m model.gguf -p 'Once upon a time' -o out.f32 \\",
                "      --greedy 4 --decode-output out.decode.f32"})
final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.f32",
            description = "Where to write the logits: replaced when complete if it exists; never the model file.")
    Path output;

    @Option(names = "--greedy", defaultValue = "0", paramLabel = "N",
            description = "After the prompt, decode N greedy steps one token at a time and print their ids "
                    + "(default: ${DEFAULT-VALUE}). The prompt and the N tokens must fit into the context (-c).")
    int greedy;

    @Option(names = "--decode-output", paramLabel = "OUT.f32",
            description = "Where to write the logits of the --greedy steps, row k after feeding greedy token k: "
                    + "replaced when complete if it exists; never the model file or -o. Needs --greedy N >= 1.")
    Path decodeOutput;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", paramLabel = "N",
            description = "Worker threads; 0 = all online CPUs (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = {"-c", "--ctx"}, defaultValue = "512", paramLabel = "N",
            description = "Context length; raised to the prompt length if smaller (default: ${DEFAULT-VALUE}).")
    int contextLength;

    @Mixin
    KvTypeOption kvType;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        checkOptions();
        // Before the load, so these errors come at once.
        OutputFile.refuseUnwritable(output, "-o");
        OutputFile.refuseInputs(output, model.model);
        if (decodeOutput != null) {
            OutputFile.refuseUnwritable(decodeOutput, "--decode-output");
            OutputFile.refuseInputs(decodeOutput, model.model, output);
        }
        PrintWriter err = spec.commandLine().getErr();
        try (Model m = Model.load(model.model, model.loadOptions().build())) {
            int[] tokens = m.tokenizer().encode(prompt, m.info().addBos(), true);
            if (tokens.length == 0) {
                throw new IllegalArgumentException("the prompt gives no tokens");
            }
            int ctx = Math.max(contextLength, tokens.length);
            if ((long) tokens.length + greedy > ctx) {
                throw new IllegalArgumentException("the prompt (" + tokens.length + " tokens) and --greedy " + greedy
                        + " need " + ((long) tokens.length + greedy) + " positions, more than the context of " + ctx
                        + ": raise -c to at least " + ((long) tokens.length + greedy) + " or lower --greedy");
            }
            int vocab = m.info().vocabSize();
            int[] ids = new int[greedy];
            try (OutputFile file = OutputFile.create(output, model.model);
                 OutputFile decodeFile = decodeOutput == null ? null : OutputFile.create(decodeOutput, model.model, output);
                 Session session = m.newSession(kvType.applyTo(SessionOptions.builder()
                    .contextLength(ctx).batchSize(tokens.length).threads(threads)).build())) {
                ByteBuffer row = ByteBuffer.allocate(vocab * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                session.evaluate(tokens, 0, true);
                for (int i = 0; i < tokens.length; i++) {
                    writeRow(file.channel(), session.logitsSegment(i), vocab, row);
                }
                for (int k = 0; k < greedy; k++) {
                    ids[k] = Logits.argmax(session.logitsSegment(-1));
                    session.evaluate(ids[k]);
                    if (decodeFile != null) {
                        writeRow(decodeFile.channel(), session.logitsSegment(-1), vocab, row);
                    }
                }
                file.commit();
                if (decodeFile != null) {
                    decodeFile.commit();
                }
            }
            err.println("wrote " + tokens.length + " x " + vocab + " logits to " + output);
            if (decodeOutput != null) {
                err.println("wrote " + greedy + " x " + vocab + " decode-step logits to " + decodeOutput);
            }
            err.flush();
            if (greedy > 0) {
                StringJoiner line = new StringJoiner(" ");
                for (int id : ids) {
                    line.add(Integer.toString(id));
                }
                PrintWriter out = spec.commandLine().getOut();
                out.println(line);
                out.flush();
            }
        }
        return 0;
    }

    private void checkOptions() {
        if (greedy < 0) {
            throw new ParameterException(spec.commandLine(), "--greedy must be >= 0, was " + greedy);
        }
        if (decodeOutput != null && greedy == 0) {
            throw new ParameterException(spec.commandLine(),
                    "--decode-output needs --greedy N with N >= 1 (the number of decode steps to write)");
        }
        if (decodeOutput != null && decodeOutput.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
            throw new ParameterException(spec.commandLine(),
                    "--decode-output and -o are the same file '" + output + "': choose two paths");
        }
    }

    private static void writeRow(FileChannel channel, MemorySegment logits, int vocab, ByteBuffer row)
            throws IOException {
        row.clear();
        for (int v = 0; v < vocab; v++) {
            row.putFloat(logits.getAtIndex(ValueLayout.JAVA_FLOAT, v));
        }
        row.flip();
        while (row.hasRemaining()) {
            channel.write(row);
        }
    }
}
