// The forward pass of a llama-family model over a batch of tokens.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/attention.h"
#include "lamina.h"
#include "model/llama_model.h"
#include "runtime/kv_cache.h"
#include "runtime/thread_pool.h"

namespace lamina {

// Activation buffers of one session, sized for its largest micro-batch.
struct ForwardScratch {
    std::vector<float> x, xn, q, k, v, attn, proj, gate, up;
    std::vector<float> rope_cos, rope_sin;  // per token of the batch: n_rot/2 angles, shared by every layer
    std::vector<uint8_t> act;  // activations converted for the matmul kernels
    cpu::AttentionScratch attention;
    int32_t capacity = 0;
    void reserve(const ModelHparams &hp, int32_t n_tokens);
};

// Evaluates n_tokens tokens at positions pos.., writing their K/V into `cache`. Writes the
// logits of every token (all_logits) or of the last one into `logits` (n_vocab floats a row).
// With logits == nullptr the output head is skipped (a chunk of a longer prompt).
// Tokens and positions are validated by the caller.
// With diagnose, every intermediate result is checked and the first that holds a NaN or an
// infinity throws LaminaError naming its layer, step and tensor (see model/finite_check.h):
// a second run of a batch whose logits were not finite.
void llama_forward(const LlamaModel &model, KvCache &cache, ThreadPool &pool, ForwardScratch &s,
                   const lm_token *tokens, int32_t n_tokens, int32_t pos, bool all_logits, float *logits,
                   bool diagnose = false);

}  // namespace lamina
