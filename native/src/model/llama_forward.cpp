#include "model/llama_forward.h"

#include <algorithm>

#include "common/error.h"
#include "cpu/attention.h"
#include "model/finite_check.h"
#include "model/layer_ops.h"
#include "model/matmul.h"

namespace lamina {
namespace {

const float *f32(const Weight &w) { return reinterpret_cast<const float *>(w.data); }

void add_bias(float *y, const Weight &bias, int64_t n_tokens) {
    for (int64_t t = 0; t < n_tokens; ++t) add_in_place(y + t * bias.cols, f32(bias), bias.cols);
}

// Query rows attended between two stop checks: at depth the attention of a whole micro-batch is
// most of a layer's time, and a cancel should not wait for it; chunks this long still give every
// thread many (token, KV head) items.
constexpr int32_t kAttentionRowsPerCheck = 128;

void stop_if_asked(const StopCheck &should_stop, int32_t layer, const ModelHparams &hp) {
    if (should_stop && should_stop()) {
        fail(LM_ERR_CANCELLED, "evaluation cancelled at layer " + std::to_string(layer) + " of " +
                                   std::to_string(hp.n_layer));
    }
}

// Each token's attention over the cells its span lets it see.
void attention(const ModelHparams &hp, const KvCache &cache, const cpu::KvCellTable &cells, int32_t layer,
               ThreadPool &pool, ForwardScratch &s, const ForwardBatch &b, const StopCheck &should_stop) {
    const cpu::AttentionShape shape{hp.head_dim, hp.n_head, hp.n_head_kv};
    const cpu::KvPlanes kv{cache.type(), cache.k_plane(layer), cache.v_plane(layer), cache.row_bytes()};
    const size_t Q = static_cast<size_t>(hp.n_embd_q());
    for (int32_t t0 = 0; t0 < b.n_tokens; t0 += kAttentionRowsPerCheck) {
        if (t0 > 0) stop_if_asked(should_stop, layer, hp);
        const int32_t n = std::min(kAttentionRowsPerCheck, b.n_tokens - t0);
        // The active variant always has attention kernels for the cache's types (scalar at least).
        cpu::attention(shape, kv, cells, b.spans + t0, s.q.data() + t0 * Q, s.attn.data() + t0 * Q, n, pool,
                       s.attention, cpu::active_variant());
    }
}

}  // namespace

void ForwardScratch::reserve(const ModelHparams &hp, int32_t n_tokens) {
    if (n_tokens <= capacity) return;
    const size_t T = static_cast<size_t>(std::max(n_tokens, capacity));
    x.resize(T * hp.n_embd);
    xn.resize(T * hp.n_embd);
    proj.resize(T * hp.n_embd);
    q.resize(T * hp.n_embd_q());
    attn.resize(T * hp.n_embd_q());
    k.resize(T * hp.n_embd_kv());
    v.resize(T * hp.n_embd_kv());
    gate.resize(T * hp.n_ff);
    up.resize(T * hp.n_ff);
    rope_cos.resize(T * (hp.n_rot / 2));
    rope_sin.resize(T * (hp.n_rot / 2));
    capacity = static_cast<int32_t>(T);
}

void llama_forward(const LlamaModel &model, KvCache &cache, const cpu::KvCellTable &cells, ThreadPool &pool,
                   ForwardScratch &s, const ForwardBatch &b, float *logits, const StopCheck &should_stop,
                   bool diagnose) {
    const ModelHparams &hp = model.hparams();
    const int64_t E = hp.n_embd, Q = hp.n_embd_q(), KV = hp.n_embd_kv(), F = hp.n_ff, T = b.n_tokens;
    const lm_token *tokens = b.tokens;
    s.reserve(hp, b.n_tokens);
    // The diagnostic pass checks the first `width` values of every token's row of a result.
    const auto check = [&](const std::vector<float> &result, int64_t width, int32_t layer, const char *step,
                           const Weight *weight = nullptr) {
        if (diagnose) require_finite(result.data(), static_cast<size_t>(T * width), layer, step, weight);
    };

    for (int64_t t = 0; t < T; ++t) weight_row_to_float(model.token_embd, tokens[t], s.x.data() + t * E);
    check(s.x, E, -1, "token embedding", &model.token_embd);

    // Rotary angles depend on the position only: once per token, used by every layer.
    const int64_t half = hp.n_rot / 2;
    const float *freq_divisors = model.rope_freqs.present() ? f32(model.rope_freqs) : nullptr;
    for (int64_t t = 0; t < T; ++t) {
        rope_angles(b.positions[t], hp.n_rot, hp.rope_freq_base, hp.rope_freq_scale, freq_divisors,
                    s.rope_cos.data() + t * half, s.rope_sin.data() + t * half);
    }

    for (int32_t l = 0; l < hp.n_layer; ++l) {
        stop_if_asked(should_stop, l, hp);
        const LayerWeights &L = model.layers[l];

        // Attention block: x += Wo · attention(rope(Wq·n(x)), rope(Wk·n(x)), Wv·n(x))
        for (int64_t t = 0; t < T; ++t) {
            rms_norm(s.x.data() + t * E, f32(L.attn_norm), s.xn.data() + t * E, E, hp.rms_norm_eps);
        }
        check(s.xn, E, l, "attention norm", &L.attn_norm);
        matmul(L.wq, s.xn.data(), T, s.q.data(), pool, s.act);
        check(s.q, Q, l, "query projection", &L.wq);
        matmul(L.wk, s.xn.data(), T, s.k.data(), pool, s.act);
        check(s.k, KV, l, "key projection", &L.wk);
        matmul(L.wv, s.xn.data(), T, s.v.data(), pool, s.act);
        check(s.v, KV, l, "value projection", &L.wv);
        if (hp.qkv_bias) {
            add_bias(s.q.data(), L.bq, T);
            check(s.q, Q, l, "query bias", &L.bq);
            add_bias(s.k.data(), L.bk, T);
            check(s.k, KV, l, "key bias", &L.bk);
            add_bias(s.v.data(), L.bv, T);
            check(s.v, KV, l, "value bias", &L.bv);
        }
        for (int64_t t = 0; t < T; ++t) {
            const int32_t cell = b.cells[t];
            const float *cos_t = s.rope_cos.data() + t * half, *sin_t = s.rope_sin.data() + t * half;
            rope_rotate(s.q.data() + t * Q, hp.n_head, hp.head_dim, hp.n_rot, cos_t, sin_t, hp.rope_layout);
            rope_rotate(s.k.data() + t * KV, hp.n_head_kv, hp.head_dim, hp.n_rot, cos_t, sin_t, hp.rope_layout);
            cache.store_k(l, cell, s.k.data() + t * KV);
            cache.store_v(l, cell, s.v.data() + t * KV);
        }
        check(s.q, Q, l, "rotary embedding of the queries", model.rope_freqs.present() ? &model.rope_freqs : nullptr);
        check(s.k, KV, l, "rotary embedding of the keys", model.rope_freqs.present() ? &model.rope_freqs : nullptr);
        attention(hp, cache, cells, l, pool, s, b, should_stop);
        check(s.attn, Q, l, "attention");
        matmul(L.wo, s.attn.data(), T, s.proj.data(), pool, s.act);
        check(s.proj, E, l, "attention output", &L.wo);
        add_in_place(s.x.data(), s.proj.data(), T * E);
        check(s.x, E, l, "residual after attention");

        stop_if_asked(should_stop, l, hp);
        // Feed-forward block: x += W_down · (silu(W_gate·n(x)) ⊙ W_up·n(x))
        for (int64_t t = 0; t < T; ++t) {
            rms_norm(s.x.data() + t * E, f32(L.ffn_norm), s.xn.data() + t * E, E, hp.rms_norm_eps);
        }
        check(s.xn, E, l, "feed-forward norm", &L.ffn_norm);
        matmul(L.ffn_gate, s.xn.data(), T, s.gate.data(), pool, s.act);
        check(s.gate, F, l, "feed-forward gate", &L.ffn_gate);
        matmul(L.ffn_up, s.xn.data(), T, s.up.data(), pool, s.act);
        check(s.up, F, l, "feed-forward up projection", &L.ffn_up);
        swiglu(s.gate.data(), s.up.data(), s.gate.data(), T * F);
        check(s.gate, F, l, "feed-forward activation");
        matmul(L.ffn_down, s.gate.data(), T, s.proj.data(), pool, s.act);
        check(s.proj, E, l, "feed-forward output", &L.ffn_down);
        add_in_place(s.x.data(), s.proj.data(), T * E);
        check(s.x, E, l, "residual after the feed-forward block");
    }

    // Output head, only for the rows whose logits are wanted.
    if (b.n_outputs == 0) return;
    const int64_t rows = b.n_outputs;
    for (int64_t t = 0; t < rows; ++t) {
        rms_norm(s.x.data() + b.output_rows[t] * E, f32(model.output_norm), s.xn.data() + t * E, E, hp.rms_norm_eps);
    }
    if (diagnose) require_finite(s.xn.data(), static_cast<size_t>(rows * E), -1, "output norm", &model.output_norm);
    matmul(model.output, s.xn.data(), rows, logits, pool, s.act);
    if (diagnose) require_finite(logits, static_cast<size_t>(rows * hp.n_vocab), -1, "output projection", &model.output);
}

}  // namespace lamina
