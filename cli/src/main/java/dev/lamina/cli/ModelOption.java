package dev.lamina.cli;

import dev.lamina.ModelOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -m FILE} option every command shares, and how to load it. */
final class ModelOption {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "The GGUF model file.")
    Path model;

    @Option(names = "--no-repack",
            description = "Keep Q4_0/Q8_0/Q4_K/Q5_K/Q6_K weights in the file's layout instead of repacking them at load for faster "
                    + "prompts: instant load, pages shared with other processes mapping the file.")
    boolean noRepack;

    /** Load options for a model that runs (sessions), honouring --no-repack. */
    ModelOptions.Builder loadOptions() {
        return ModelOptions.builder().repackWeights(!noRepack);
    }
}
