package dev.lamina;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How to load a model.
 *
 * @param vocabOnly      read only the metadata and the vocabulary: no tensor is required or mapped,
 *                       so tokenizing works but sessions cannot be created
 * @param expectedSha256 the SHA-256 the whole file must have (64 hex digits, either case; kept in
 *                       lowercase), or null for no check. With a value, loading reads the whole
 *                       file once and fails with {@link ModelFormatException} naming both hashes if
 *                       they differ; {@link Lamina#sha256(java.nio.file.Path)} computes the value.
 * @param repackWeights  (default true) copy Q4_0, Q8_0, Q4_K, Q5_K and Q6_K matrices once at load into an
 *                       interleaved-row layout that processes prompts 1.5-2.5x faster, where the CPU
 *                       has kernels for it (x86 AVX-512, AVX2 without Q8_0, ARM with dotprod) and the
 *                       copies take at most 80% of the machine's (or container's) memory. The
 *                       file pages they came from are released, so resident memory stays about the
 *                       file's size. false keeps every weight in the shared file mapping: loading is
 *                       instant and several processes mapping the same file share its pages.
 *                       {@link ModelInfo#repackedMatrices()} tells what was repacked.
 * @param loras          LoRA adapters loaded with the model ({@link Model#loraAdapters()}) and applied
 *                       at their scales to every session, batch session and embedder it creates
 *                       (empty by default; not for a vocabulary-only load)
 */
public record ModelOptions(boolean vocabOnly, String expectedSha256, boolean repackWeights, List<Lora> loras) {
    /**
     * A LoRA adapter file and the scale to apply it at (1 = as trained, 0 = not at all; negative
     * values subtract it).
     */
    public record Lora(Path path, float scale) {
        /** @throws IllegalArgumentException if the scale is NaN or infinite */
        public Lora {
            Objects.requireNonNull(path, "path");
            if (!Float.isFinite(scale)) {
                throw new IllegalArgumentException("LoRA scale must be finite, was " + scale + " for " + path);
            }
        }
    }

    /**
     * @throws IllegalArgumentException if {@code expectedSha256} is not 64 hex digits (checked here,
     *                                  before any native call), or adapters are given with vocabOnly
     */
    public ModelOptions {
        if (expectedSha256 != null) {
            expectedSha256 = normalizeSha256(expectedSha256);
        }
        loras = loras == null ? List.of() : List.copyOf(loras);
        if (vocabOnly && !loras.isEmpty()) {
            throw new IllegalArgumentException("LoRA adapters need the model's weights: not with vocabOnly");
        }
    }

    /** Options without LoRA adapters. */
    public ModelOptions(boolean vocabOnly, String expectedSha256, boolean repackWeights) {
        this(vocabOnly, expectedSha256, repackWeights, List.of());
    }

    /** Options with weights repacked where that helps (the default). */
    public ModelOptions(boolean vocabOnly, String expectedSha256) {
        this(vocabOnly, expectedSha256, true);
    }

    /** Options without a hash check. */
    public ModelOptions(boolean vocabOnly) {
        this(vocabOnly, null);
    }

    /** Everything loaded, weights repacked where that helps (the default). */
    public static ModelOptions defaults() {
        return new ModelOptions(false, null, true, List.of());
    }

    /** These options with the given expected SHA-256 (null = no check). */
    public ModelOptions withExpectedSha256(String sha256) {
        return new ModelOptions(vocabOnly, sha256, repackWeights, loras);
    }

    /** These options with weight repacking switched on or off. */
    public ModelOptions withRepackWeights(boolean repack) {
        return new ModelOptions(vocabOnly, expectedSha256, repack, loras);
    }

    /**
     * Checks that {@code hex} is a SHA-256 as 64 hex digits and returns it in lowercase.
     *
     * @throws IllegalArgumentException naming the length or the first character that is not a hex digit
     */
    public static String normalizeSha256(String hex) {
        if (hex.length() != 64) {
            throw new IllegalArgumentException("expected SHA-256 must be 64 hex digits, but '" + hex + "' has "
                    + hex.length() + " characters");
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                throw new IllegalArgumentException("expected SHA-256 must be 64 hex digits, but '" + hex
                        + "' has '" + c + "' at index " + i);
            }
        }
        return hex.toLowerCase(Locale.ROOT);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ModelOptions}; every setting starts at its default. */
    public static final class Builder {
        private boolean vocabOnly;
        private String expectedSha256;
        private boolean repackWeights = true;
        private final List<Lora> loras = new ArrayList<>();

        private Builder() {}

        public Builder vocabOnly(boolean vocabOnly) {
            this.vocabOnly = vocabOnly;
            return this;
        }

        /** The SHA-256 the file must have (64 hex digits), or null for no check (the default). */
        public Builder expectedSha256(String expectedSha256) {
            this.expectedSha256 = expectedSha256;
            return this;
        }

        /** Whether to repack Q4_0/Q8_0/Q4_K/Q5_K/Q6_K weights for faster prompts (default true); see {@link ModelOptions}. */
        public Builder repackWeights(boolean repackWeights) {
            this.repackWeights = repackWeights;
            return this;
        }

        /**
         * Adds a LoRA adapter to load with the model and apply to its sessions at {@code scale}; call
         * again for several (they add up).
         *
         * @throws IllegalArgumentException if the scale is NaN or infinite
         */
        public Builder lora(Path path, float scale) {
            loras.add(new Lora(path, scale));
            return this;
        }

        /** @throws IllegalArgumentException if the expected SHA-256 is not 64 hex digits */
        public ModelOptions build() {
            return new ModelOptions(vocabOnly, expectedSha256, repackWeights, loras);
        }
    }
}
