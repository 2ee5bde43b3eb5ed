package dev.lamina.cli;

import dev.lamina.ModelOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The {@code -m FILE} option every command shares, and how to load it. */
final class ModelOption {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "The GGUF model file.")
    Path model;

    @Option(names = "--no-repack",
            description = "Keep Q4_0/Q8_0/Q4_K/Q5_K/Q6_K weights in the file's layout instead of repacking them at load for faster "
                    + "prompts: instant load, pages shared with other processes mapping the file.")
    boolean noRepack;

    @Option(names = "--lora", paramLabel = "FILE[:SCALE]", converter = LoraConverter.class,
            description = {"Apply a LoRA adapter (llama.cpp's GGUF adapter format) at SCALE (default 1; 0 = off, negative "
                    + "subtracts it). Repeat for several: they add up. Make a random one with `lamina synth-lora`."})
    List<ModelOptions.Lora> loras = new ArrayList<>();

    /** Load options for a model that runs (sessions), honouring --no-repack and --lora. */
    ModelOptions.Builder loadOptions() {
        ModelOptions.Builder b = ModelOptions.builder().repackWeights(!noRepack);
        for (ModelOptions.Lora lora : loras) {
            b.lora(lora.path(), lora.scale());
        }
        return b;
    }

    /** FILE or FILE:SCALE; a colon not followed by a number is part of the file name. */
    static final class LoraConverter implements ITypeConverter<ModelOptions.Lora> {
        @Override
        public ModelOptions.Lora convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon > 0) {
                String scale = value.substring(colon + 1);
                try {
                    return new ModelOptions.Lora(Path.of(value.substring(0, colon)), Float.parseFloat(scale));
                } catch (NumberFormatException e) {
                    // not a scale: the whole value names the file
                } catch (IllegalArgumentException e) {
                    throw new TypeConversionException("'" + value + "': " + e.getMessage());
                }
            }
            if (value.isEmpty()) {
                throw new TypeConversionException("--lora needs a file name");
            }
            return new ModelOptions.Lora(Path.of(value), 1.0f);
        }
    }
}
