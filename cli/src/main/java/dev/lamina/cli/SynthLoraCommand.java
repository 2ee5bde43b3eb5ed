package dev.lamina.cli;

import dev.lamina.LoraSynthesizeOptions;
import dev.lamina.ModelWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lamina synth-lora}: writes a random LoRA adapter for a model, for tests and reference data. */
@Command(name = "synth-lora", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a random LoRA adapter for a model in llama.cpp's GGUF adapter format",
                "(general.type = adapter, <tensor>.lora_a / .lora_b pairs), for tests and reference data.",
                "The same model, options and seed give the same file. Options left out take the",
                "library's defaults: attn_q,attn_v, F32, rank 8, alpha 16, seed 1."},
        footer = {"", "Example:",
                "  lamina synth-lora -m stories260K-f32.gguf -o /tmp/lora.gguf --targets attn_q,attn_v,ffn_down",
                "  lamina run -m stories260K-f32.gguf --lora /tmp/lora.gguf:0.5 -p 'Once upon a time'"})
final class SynthLoraCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "The base GGUF model.")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The adapter GGUF to write.")
    Path output;

    @Option(names = "--targets", split = ",", paramLabel = "NAME",
            description = "The matrices to adapt, comma-separated: the part of a tensor name between blk.N. and .weight "
                    + "(attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down, ...), or output.")
    List<String> targets;

    @Option(names = "--rank", paramLabel = "R", description = "The rank of every pair (1..4096).")
    int rank;

    @Option(names = "--alpha", paramLabel = "A",
            description = "adapter.lora.alpha: pairs are applied at scale * alpha / rank; 0 writes none (scale alone).")
    Float alpha;

    @Option(names = "--type", paramLabel = "TYPE", description = "The tensors' type: F32, F16 or Q8_0 (Q8_0: rank a multiple of 32).")
    String type;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed; same seed = same file.")
    Long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelWriter.synthesizeLora(model, output, new LoraSynthesizeOptions(targets, type, rank, alpha, seed));
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "wrote %s (LoRA adapter for %s, %.1f KiB)%n", output, model.getFileName(),
                Files.size(output) / 1024.0);
        out.flush();
        return 0;
    }
}
