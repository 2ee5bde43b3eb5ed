package dev.lamina.cli;

import dev.lamina.Sampler;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The sampling options' defaults, read from the native library's sampler catalog so the CLI,
 * the Java API and the C ABI share one set (llama.cpp's common_sampler defaults).
 */
public final class SamplerDefaults implements IDefaultValueProvider {
    private record Key(Sampler.Kind kind, String key) {}

    private static final Map<String, Key> OPTIONS = Map.ofEntries(
            Map.entry("--temp", new Key(Sampler.Kind.TEMPERATURE, "t")),
            Map.entry("--dynatemp-range", new Key(Sampler.Kind.TEMPERATURE, "range")),
            Map.entry("--dynatemp-exp", new Key(Sampler.Kind.TEMPERATURE, "exponent")),
            Map.entry("--top-k", new Key(Sampler.Kind.TOP_K, "k")),
            Map.entry("--top-p", new Key(Sampler.Kind.TOP_P, "p")),
            Map.entry("--min-p", new Key(Sampler.Kind.MIN_P, "p")),
            Map.entry("--typical", new Key(Sampler.Kind.TYPICAL_P, "p")),
            Map.entry("--repeat-penalty", new Key(Sampler.Kind.PENALTIES, "repeat")),
            Map.entry("--repeat-last-n", new Key(Sampler.Kind.PENALTIES, "last_n")),
            Map.entry("--frequency-penalty", new Key(Sampler.Kind.PENALTIES, "frequency")),
            Map.entry("--presence-penalty", new Key(Sampler.Kind.PENALTIES, "presence")),
            Map.entry("--dry-multiplier", new Key(Sampler.Kind.DRY, "multiplier")),
            Map.entry("--dry-base", new Key(Sampler.Kind.DRY, "base")),
            Map.entry("--dry-allowed-length", new Key(Sampler.Kind.DRY, "allowed_length")),
            Map.entry("--dry-penalty-last-n", new Key(Sampler.Kind.DRY, "last_n")),
            Map.entry("--xtc-probability", new Key(Sampler.Kind.XTC, "probability")),
            Map.entry("--xtc-threshold", new Key(Sampler.Kind.XTC, "threshold")),
            Map.entry("--mirostat-ent", new Key(Sampler.Kind.MIROSTAT_V2, "tau")),
            Map.entry("--mirostat-lr", new Key(Sampler.Kind.MIROSTAT_V2, "eta")));

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec option) {
            Key key = OPTIONS.get(option.longestName());
            if (key != null) {
                return Sampler.defaultValue(key.kind(), key.key());
            }
        }
        return null;
    }
}
