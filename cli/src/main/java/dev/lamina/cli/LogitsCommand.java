package dev.lamina.cli;

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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lamina logits}: evaluates a prompt and writes every row of logits to a file. */
@Command(name = "logits", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes the logits after every prompt token to a float32 file.",
                "The prompt is evaluated in one batch; rows are float32 little-endian [n_tokens][n_vocab],",
                "the layout of the golden *.logits.f32 files. The prompt gets BOS as the model asks and",
                "special-token texts are parsed."},
        footer = {"", "Example:", "  lamina logits -m model.gguf -p 'Once upon a time' -o out.f32"})
final class LogitsCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "The prompt.")
    String prompt;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.f32",
            description = "Where to write the logits: replaced when complete if it exists; never the model file.")
    Path output;

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
        OutputFile.refuseInputs(output, model.model); // before the load, so the error comes at once
        try (Model m = Model.load(model.model, model.loadOptions().build())) {
            int[] tokens = m.tokenizer().encode(prompt, m.info().addBos(), true);
            if (tokens.length == 0) {
                throw new IllegalArgumentException("the prompt gives no tokens");
            }
            int ctx = Math.max(contextLength, tokens.length);
            int vocab = m.info().vocabSize();
            try (OutputFile file = OutputFile.create(output, model.model);
                 Session session = m.newSession(kvType.applyTo(SessionOptions.builder()
                    .contextLength(ctx).batchSize(tokens.length).threads(threads)).build())) {
                FileChannel channel = file.channel();
                session.evaluate(tokens, 0, true);
                ByteBuffer row = ByteBuffer.allocate(vocab * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < tokens.length; i++) {
                    MemorySegment logits = session.logitsSegment(i);
                    row.clear();
                    for (int v = 0; v < vocab; v++) {
                        row.putFloat(logits.getAtIndex(ValueLayout.JAVA_FLOAT, v));
                    }
                    row.flip();
                    while (row.hasRemaining()) {
                        channel.write(row);
                    }
                }
                file.commit();
            }
            PrintWriter err = spec.commandLine().getErr();
            err.println("wrote " + tokens.length + " x " + vocab + " logits to " + output);
            err.flush();
        }
        return 0;
    }
}
