// The forward pass of a llama-family model over a batch of tokens.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "backend/backend.h"
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
    std::unique_ptr<backend::Workspace> workspace;  // the model's backend's, made on first use
    int32_t capacity = 0;
    void reserve(const ModelHparams &hp, int32_t n_tokens);
};

// One micro-batch: token t sits at positions[t], its K/V go to cache cell cells[t], and it
// attends to what spans[t] says (the cell table masks other sequences' cells). The rows listed
// in output_rows (ascending batch indices) get logits.
struct ForwardBatch {
    const lm_token *tokens = nullptr;
    const int32_t *positions = nullptr;
    const int32_t *cells = nullptr;
    const cpu::QuerySpan *spans = nullptr;
    int32_t n_tokens = 0;
    const int32_t *output_rows = nullptr;
    int32_t n_outputs = 0;
};

// What an evaluation checks between layers: true stops it with LaminaError(LM_ERR_CANCELLED).
using StopCheck = std::function<bool()>;

// Evaluates a micro-batch through the model's backend, writing its K/V into `cache` and n_vocab logits per output row into
// `logits` (the output head is skipped without output rows). Tokens, positions and cells are
// validated by the caller. should_stop (may be empty) is asked before every layer, before its
// feed-forward block and between chunks of its attention rows.
// With diagnose, every intermediate result is checked and the first that holds a NaN or an
// infinity throws LaminaError naming its layer, step and tensor (see model/finite_check.h):
// a second run of a batch whose logits were not finite.
void llama_forward(const LlamaModel &model, KvCache &cache, const cpu::KvCellTable &cells, ThreadPool &pool,
                   ForwardScratch &s, const ForwardBatch &batch, float *logits, const StopCheck &should_stop,
                   bool diagnose = false);

}  // namespace lamina
