package dev.lamina;

import java.util.List;

/**
 * What {@link ModelWriter#synthesizeLora} writes: a random LoRA adapter for a model, for tests and
 * reference data (same base file, options and seed, same file). A null (or 0 rank) leaves the
 * library's default ({@code lm_lora_synthesize_default_params}: targets attn_q and attn_v, F32, rank
 * 8, alpha 16, seed 1).
 *
 * @param targets the matrices adapted: the part of a tensor name between {@code blk.N.} and
 *                {@code .weight} ("attn_q", "ffn_down"), or "output"; each must match a 2-D tensor
 * @param type    "F32", "F16" or "Q8_0"
 * @param rank    the rank of every pair, 0 = the default
 * @param alpha   {@code adapter.lora.alpha}; 0 writes none (the factor is then the scale alone)
 * @param seed    the random seed
 */
public record LoraSynthesizeOptions(List<String> targets, String type, int rank, Float alpha, Long seed) {
    public LoraSynthesizeOptions {
        targets = targets == null ? null : List.copyOf(targets);
        if (targets != null && targets.isEmpty()) {
            throw new IllegalArgumentException("targets must name at least one matrix (or be null for the default)");
        }
        if (rank < 0) {
            throw new IllegalArgumentException("rank must be >= 0, was " + rank);
        }
    }

    /** Every setting at the library's default. */
    public static LoraSynthesizeOptions defaults() {
        return new LoraSynthesizeOptions(null, null, 0, null, null);
    }
}
