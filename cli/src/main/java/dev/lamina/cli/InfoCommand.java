package dev.lamina.cli;

import dev.lamina.KvType;
import dev.lamina.Lamina;
import dev.lamina.Model;
import dev.lamina.ModelInfo;
import dev.lamina.ModelOptions;
import dev.lamina.TensorInfo;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lamina info}: describes a model file. */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Describes a model: hyperparameters, metadata, tensors and the CPU variant.",
                "The tensor table lists name, type, shape and bytes of each tensor.",
                "A file that is not valid GGUF exits with status 1 and a one-line message."},
        footer = {"", "Example:", "  lamina info -m model.gguf"})
final class InfoCommand implements Callable<Integer> {
    @Mixin
    ModelOption model;

    @Option(names = "--no-tensors", description = "Leave out the tensor table.")
    boolean noTensors;

    @Option(names = "--no-metadata", description = "Leave out the metadata entries.")
    boolean noMetadata;

    @Option(names = "--no-sha256", description = "Do not compute the file's SHA-256 (it reads the whole file).")
    boolean noSha256;

    @Option(names = "--verify-sha256", paramLabel = "HEX",
            description = "Load only if the file's SHA-256 is HEX (64 hex digits); a mismatch exits with status 1.")
    String verifySha256;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ModelOptions options = model.loadOptions().expectedSha256(verifySha256).build();
        try (Model m = Model.load(model.model, options)) {
            ModelInfo i = m.info();
            out.println("file:            " + m.path());
            out.println("architecture:    " + i.architecture() + " (" + Lamina.architectureSummary(i.architecture()) + ")");
            out.println("name:            " + i.name());
            out.println("gguf version:    " + i.ggufVersion());
            out.println("file type:       " + i.fileType());
            if (!noSha256) {
                // With --verify-sha256 the loader has just checked the file against this value.
                out.println("sha256:          " + (verifySha256 != null ? options.expectedSha256() : Lamina.sha256(m.path())));
            }
            out.println("cpu variant:     " + CpuVariantInfo.summary());
            out.println("native library:  " + Lamina.nativeVersion());
            out.println();
            out.println("hyperparameters:");
            row(out, "n_vocab", i.vocabSize());
            row(out, "n_ctx_train", i.trainContextLength());
            row(out, "n_embd", i.embeddingLength());
            row(out, "n_layer", i.layerCount());
            row(out, "n_head", i.headCount());
            row(out, "n_head_kv", i.kvHeadCount());
            row(out, "n_ff", i.feedForwardLength());
            row(out, "head_dim", i.headDim());
            row(out, "n_expert", i.expertCount());
            row(out, "n_expert_used", i.expertUsedCount());
            row(out, "rope_freq_base", i.ropeFreqBase());
            row(out, "rms_norm_eps", i.rmsNormEps());
            row(out, "bos / eos / eot", i.bos() + " / " + i.eos() + " / " + i.eot());
            row(out, "add_bos", i.addBos());
            row(out, "parameters", String.format(Locale.ROOT, "%,d", i.parameterCount()));
            row(out, "tensor bytes", String.format(Locale.ROOT, "%,d", i.tensorBytes()));
            row(out, "repacked", i.repackedMatrices() == 0 ? "none (weights used in place in the file mapping)"
                    : String.format(Locale.ROOT, "%d matrices, %,d bytes (interleaved rows for faster prompts)",
                            i.repackedMatrices(), i.repackedBytes()));
            row(out, "tensors", i.tensorCount());
            row(out, "kv per token", String.format(Locale.ROOT, "%,d bytes (%s cache; multi-head attention of this shape: %,d)",
                    m.kvBytesPerToken(KvType.F16), KvType.F16.nativeName(), m.multiHeadKvBytesPerToken(KvType.F16)));
            if (!noMetadata) {
                Map<String, String> metadata = m.metadata();
                out.println();
                out.println("metadata (" + metadata.size() + " entries):");
                int width = metadata.keySet().stream().mapToInt(String::length).max().orElse(0);
                metadata.forEach((k, v) -> out.printf(Locale.ROOT, "  %-" + width + "s = %s%n", k, v));
            }
            if (!noTensors) {
                var tensors = m.tensors();
                out.println();
                out.println("tensors (" + tensors.size() + "):");
                int width = Math.max(4, tensors.stream().mapToInt(t -> t.name().length()).max().orElse(0));
                out.printf(Locale.ROOT, "  %-" + width + "s  %-6s  %-22s  %12s%n", "name", "type", "shape", "bytes");
                for (TensorInfo t : tensors) {
                    String shape = t.shape().stream().map(String::valueOf).collect(Collectors.joining(" x "));
                    out.printf(Locale.ROOT, "  %-" + width + "s  %-6s  %-22s  %12d%n", t.name(), t.typeName(), shape, t.bytes());
                }
            }
            out.flush();
        }
        return 0;
    }

    private static void row(PrintWriter out, String name, Object value) {
        out.printf(Locale.ROOT, "  %-16s %s%n", name, value);
    }
}
