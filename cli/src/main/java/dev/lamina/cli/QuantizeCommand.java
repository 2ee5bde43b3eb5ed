package dev.lamina.cli;

import dev.lamina.ModelWriter;
import dev.lamina.QuantizeOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lamina quantize IN OUT TYPE}: rewrites a model in another file type. */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rewrites a GGUF model with its matrices in another file type, as llama.cpp's quantizer does:",
                "norms stay F32 and the _M mixes keep sensitive tensors at more bits.",
                "The output is written under a temporary name and renamed when complete."},
        footer = {"", "Example:", "  lamina quantize model-f16.gguf model-q4_k_m.gguf Q4_K_M --threads 2"})
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "The model to read (F32, F16, BF16 or quantized GGUF).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The GGUF file to write.")
    Path out;

    @Parameters(index = "2", paramLabel = "TYPE", completionCandidates = NativeNames.FileTypes.class,
            description = "The file type (case-insensitive): ${COMPLETION-CANDIDATES}.")
    String type;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "0",
            description = "Worker threads; 0 = all CPUs (default).")
    int threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressReporter progress = new ProgressReporter(err, "quantize " + type.toUpperCase(Locale.ROOT));
        try {
            ModelWriter.quantize(in, this.out, QuantizeOptions.builder(type).threads(threads).progress(progress).build());
        } finally {
            progress.finish();
        }
        out.printf(Locale.ROOT, "wrote %s (%s, %.1f MiB) in %.1f s%n", this.out, type.toUpperCase(Locale.ROOT),
                Files.size(this.out) / (1024.0 * 1024.0), progress.seconds());
        out.flush();
        return 0;
    }
}
