// The forward pass of a model over one micro-batch, and the blocks architectures build it from.
// An architecture's forward function (model/arch/) reads top to bottom as its layers do:
//
//     f.embed();
//     for (int32_t l = 0; l < f.hp().n_layer; ++l) {
//         f.begin_layer(l);
//         f.rms_norm(f.x(), f.layer(l).attn_norm, f.xn());
//         f.attention(l, f.xn(), f.out());
//         f.add_residual(f.out());
//         ...
//     }
//     f.output_head_rms();
//
// Blocks compute through the model's backend (backend/backend.h), take what their layer's
// weights have (fused or separate projections, biases, QK norms) and, in a diagnostic run,
// check every intermediate result (model/finite_check.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "backend/backend.h"
#include "cpu/attention.h"
#include "lamina.h"
#include "model/lora_adapter.h"
#include "model/model.h"
#include "runtime/kv_cache.h"
#include "runtime/thread_pool.h"

namespace lamina {

// Activation buffers of one session, grown to its largest micro-batch on first use.
struct ForwardScratch {
    std::vector<float> x, xn, out;                  // residual stream, normalised input, block output
    std::vector<float> xn2, out2;                   // the second ones of parallel blocks
    std::vector<float> q, k, v, qkv, attn, proj;    // attention
    std::vector<float> gate, up, ffn_in, ffn_out;   // feed-forward and experts
    std::vector<float> router, mla;                 // expert routing, latent attention
    std::vector<int32_t> expert_rows;               // per expert, the batch rows routed to it
    std::vector<float> expert_weight;
    std::vector<float> rope_cos, rope_sin;  // per token of the batch: n_rot/2 angles, shared by every layer
    std::vector<float> rope_cos_swa, rope_sin_swa;  // the sliding-window layers' own, when they have them
    std::vector<float> alibi_slopes;
    std::vector<float> lora_mid, lora_out;  // A·x and B·(A·x) of a LoRA pair
    std::unique_ptr<backend::Workspace> workspace;  // the model's backend's, made on first use
    // Experts run since the session started: with tokens grouped by expert, at most n_expert
    // per MoE layer and micro-batch however many tokens it has (each expert's weights read once).
    int64_t expert_passes = 0;
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
    // Output the last layer's hidden states after the final norm (n_embd per output row)
    // instead of logits: embeddings, without the output matrix.
    bool embeddings = false;
    // The LoRA adapters applied to every matrix product they adapt (may be null or empty).
    const std::vector<ActiveLora> *loras = nullptr;
};

// What an evaluation checks between layers: true stops it with LaminaError(LM_ERR_CANCELLED).
using StopCheck = std::function<bool()>;

// What a feed-forward block computes between its input and output projections.
enum class FfnActivation {
    SwiGlu,    // silu(gate) * up
    GeGluTanh, // gelu_tanh(gate) * up (Gemma)
    Gelu,      // gelu_tanh(up), no gate (Bloom, Falcon)
};

class Forward {
public:
    Forward(const Model &model, KvCache &cache, const cpu::KvCellTable &cells, ThreadPool &pool, ForwardScratch &s,
            const ForwardBatch &batch, float *logits, const StopCheck &should_stop, bool diagnose);

    const ModelHparams &hp() const { return hp_; }
    const ModelWeights &weights() const { return model_.weights(); }
    const LayerWeights &layer(int32_t l) const { return model_.weights().layers[l]; }
    int64_t n_tokens() const { return T_; }

    // The residual stream, the normalised input of a block and a block's output: n_tokens rows
    // of n_embd each.
    float *x() { return s_.x.data(); }
    float *xn() { return s_.xn.data(); }
    float *out() { return s_.out.data(); }
    // A second normalised input and block output, for blocks that run side by side (Falcon).
    float *xn2() { return s_.xn2.data(); }
    float *out2() { return s_.out2.data(); }

    // x = the tokens' embedding rows (times `scale` when it is not 1: Gemma's sqrt(n_embd)).
    void embed(float scale = 1.0f);
    // Asks whether to stop before layer l's work.
    void begin_layer(int32_t l);
    // y += x over n_tokens rows of n_embd (the parallel blocks' outputs summed before the residual).
    void add(float *y, const float *x) const;
    // Rows of n_embd: out = rms_norm(in) * w, or layer_norm(in) * w + b.
    void rms_norm(const float *in, const Weight &w, float *out, int32_t layer, const char *what);
    void layer_norm(const float *in, const Weight &w, const Weight &b, float *out, int32_t layer, const char *what);
    // x += y over n_tokens rows of n_embd.
    void add_residual(const float *y, int32_t layer, const char *what);
    // Self-attention of layer l: out = Wo · attention(rope(Q), rope(K), V) (+ bias) over `in`,
    // writing the batch's K/V into the cache. Q/K/V from wq/wk/wv or fused wqkv, with their
    // biases and per-head QK norms when present; ALiBi, soft-capping and the sliding window
    // as the hyperparameters say.
    void attention(int32_t l, const float *in, float *out);
    // Multi-head latent attention of layer l (DeepSeek 2/3).
    void latent_attention(int32_t l, const float *in, float *out);
    // out = W_down · act(W_gate·in, W_up·in) (+ biases) with layer l's dense matrices.
    void feed_forward(int32_t l, const float *in, float *out, FfnActivation act);
    // Mixture of experts of layer l: each token through its n_expert_used experts, weighted by
    // the router, plus the shared experts; tokens are grouped by expert, so each expert's
    // matrices are read once per micro-batch.
    void experts(int32_t l, const float *in, float *out);
    // Logits of the output rows: output norm (RMS or LayerNorm with bias), the output matrix,
    // and the final soft cap when the model has one.
    void output_head_rms();
    void output_head_layer_norm();

private:
    float *grow(std::vector<float> &v, int64_t n);
    const Weight &rope_divisors() const;
    void check(const float *data, int64_t width, int32_t layer, const char *step, const Weight *w = nullptr) const;
    void add_bias(float *y, int64_t n_rows, const Weight &bias) const;
    // out = in · wᵀ, plus the low-rank terms of the batch's LoRA adapters for w.
    void matmul(const Weight &w, const float *in, int64_t n_rows, float *out) const;
    void qk_norm(float *x, int32_t n_heads, int32_t head_dim, const Weight &w, int32_t layer, const char *what);
    void stop_if_asked(int32_t layer) const;
    cpu::AttentionOptions attention_options(int32_t l) const;
    // out = down · act(gate · in, up · in + up_b) + down_b over n_rows rows; biases and the gate
    // may be absent; without a gate a SwiGLU up matrix holds gate and up rows (gate first).
    void ffn(const Weight &gate, const Weight &up, const Weight &up_b, const Weight &down, const Weight &down_b,
             const float *in, int64_t n_rows, float *out, FfnActivation act, int32_t layer);
    // The chosen experts of every token of the batch and their weights (s_.expert_rows/weight).
    void route(int32_t l, const float *in);
    void output_head(const float *normed);

    const Model &model_;
    const ModelHparams &hp_;
    const backend::Backend &be_;
    KvCache &cache_;
    const cpu::KvCellTable &cells_;
    ForwardScratch &s_;
    const ForwardBatch &b_;
    float *logits_;
    const StopCheck &should_stop_;
    bool diagnose_;
    int64_t T_;
    backend::OpContext ctx_;
};

// Evaluates a micro-batch with the model's architecture, writing its K/V into `cache` and
// n_vocab logits per output row into `logits` (the output head is skipped without output
// rows). Tokens, positions and cells are validated by the caller. should_stop (may be empty)
// is asked before every layer, before its feed-forward block and between chunks of its
// attention rows. With diagnose, every intermediate result is checked and the first that
// holds a NaN or an infinity throws LaminaError naming its layer, step and tensor: a second
// run of a batch whose logits were not finite.
void forward(const Model &model, KvCache &cache, const cpu::KvCellTable &cells, ThreadPool &pool, ForwardScratch &s,
             const ForwardBatch &batch, float *logits, const StopCheck &should_stop, bool diagnose = false);

}  // namespace lamina
