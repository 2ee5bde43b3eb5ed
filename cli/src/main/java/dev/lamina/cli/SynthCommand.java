package dev.lamina.cli;

import dev.lamina.ModelWriter;
import dev.lamina.SynthesizeOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lamina synth}: writes a random-weight model of a real model's shape, for benchmarks. */
@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a random-weight GGUF of a real model's exact shape and architecture, so benchmarks need no download.",
                "The vocabulary (tokenizer.* metadata) is copied from a vocab GGUF such as llama.cpp's ggml-vocab-*.gguf."},
        footer = {"", "Example:",
                "  lamina synth --shape tinyllama-1.1b --type q4_0 -o /tmp/tinyllama-q4_0.gguf",
                "  lamina bench -m /tmp/tinyllama-q4_0.gguf -t 2 -p 256 -n 64"})
final class SynthCommand implements Callable<Integer> {
    static final String SPM_VOCAB = "ggml-vocab-llama-spm.gguf";
    static final String LLAMA3_VOCAB = "ggml-vocab-llama3.gguf";
    static final String QWEN2_VOCAB = "ggml-vocab-qwen2.gguf";

    @Option(names = "--shape", required = true, paramLabel = "SHAPE", completionCandidates = NativeNames.Shapes.class,
            description = "The model shape: ${COMPLETION-CANDIDATES}.")
    String shape;

    @Option(names = "--type", defaultValue = "Q4_0", paramLabel = "TYPE", completionCandidates = NativeNames.FileTypes.class,
            description = "The file type (default ${DEFAULT-VALUE}): ${COMPLETION-CANDIDATES}.")
    String type;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The GGUF file to write.")
    Path output;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = {"The vocab GGUF to copy the tokenizer from. Default: $LAMINA_TEST_DATA/vocab (else ../shared/vocab)/"
                    + SPM_VOCAB + ", or " + LLAMA3_VOCAB + " for llama-3* shapes and " + QWEN2_VOCAB
                    + " for qwen3* shapes (their real vocabularies: the output matrix is as large as theirs)."})
    Path vocab;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Random seed; same seed = same file (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "0", description = "Worker threads; 0 = all CPUs (default).")
    int threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path vocabFile = vocab != null ? vocab : defaultVocab(shape);
        ProgressReporter progress = new ProgressReporter(spec.commandLine().getErr(), "synth " + shape);
        try {
            ModelWriter.synthesize(output, SynthesizeOptions.builder(shape, vocabFile).fileType(type).seed(seed)
                    .threads(threads).progress(progress).build());
        } finally {
            progress.finish();
        }
        out.printf(Locale.ROOT, "wrote %s (%s, %s, vocab %s, %.1f MiB) in %.1f s%n", output, shape,
                type.toUpperCase(Locale.ROOT), vocabFile.getFileName(), Files.size(output) / (1024.0 * 1024.0),
                progress.seconds());
        out.flush();
        return 0;
    }

    /** $LAMINA_TEST_DATA/vocab, else ../shared/vocab; the Llama 3 and Qwen vocabularies for their shapes. */
    private Path defaultVocab(String shape) {
        String file = shape.startsWith("llama-3") ? LLAMA3_VOCAB : shape.startsWith("qwen3") ? QWEN2_VOCAB : SPM_VOCAB;
        List<Path> tried = new ArrayList<>();
        String data = System.getenv("LAMINA_TEST_DATA");
        if (data != null && !data.isBlank()) {
            tried.add(Path.of(data, "vocab", file));
        }
        tried.add(Path.of("..", "shared", "vocab", file));
        for (Path p : tried) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new ParameterException(spec.commandLine(), "no vocabulary file given and none found at "
                + String.join(", ", tried.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList())
                + ": pass --vocab FILE (a GGUF with tokenizer.* metadata)");
    }
}
