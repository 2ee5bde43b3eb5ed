#include "model/llama_forward.h"

#include <algorithm>

#include "common/error.h"
#include "model/finite_check.h"

namespace lamina {
namespace {

const float *f32(const Weight &w) { return reinterpret_cast<const float *>(w.data); }

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
    const backend::Backend &be = model.backend();
    const ModelHparams &hp = model.hparams();
    const int64_t E = hp.n_embd, Q = hp.n_embd_q(), KV = hp.n_embd_kv(), F = hp.n_ff, T = b.n_tokens;
    s.reserve(hp, b.n_tokens);
    if (!s.workspace) s.workspace = be.make_workspace();
    const backend::OpContext ctx{pool, *s.workspace};
    // The diagnostic pass checks the first `width` values of every token's row of a result.
    const auto check = [&](const std::vector<float> &result, int64_t width, int32_t layer, const char *step,
                           const Weight *weight = nullptr) {
        if (diagnose) require_finite(result.data(), static_cast<size_t>(T * width), layer, step, weight);
    };
    const auto add_bias = [&](std::vector<float> &y, const Weight &bias) {
        for (int64_t t = 0; t < T; ++t) be.add(y.data() + t * bias.cols, f32(bias), bias.cols);
    };

    be.embed(model.token_embd, b.tokens, T, s.x.data());
    check(s.x, E, -1, "token embedding", &model.token_embd);

    // Rotary angles depend on the position only: once per token, used by every layer.
    const float *freq_divisors = model.rope_freqs.present() ? f32(model.rope_freqs) : nullptr;
    be.rope_angles(b.positions, T, hp, freq_divisors, s.rope_cos.data(), s.rope_sin.data());
    const cpu::AttentionShape shape{hp.head_dim, hp.n_head, hp.n_head_kv};

    for (int32_t l = 0; l < hp.n_layer; ++l) {
        stop_if_asked(should_stop, l, hp);
        const LayerWeights &L = model.layers[l];

        // Attention block: x += Wo · attention(rope(Wq·n(x)), rope(Wk·n(x)), Wv·n(x))
        be.rms_norm(s.x.data(), T, L.attn_norm, hp.rms_norm_eps, s.xn.data());
        check(s.xn, E, l, "attention norm", &L.attn_norm);
        be.matmul(L.wq, s.xn.data(), T, s.q.data(), ctx);
        check(s.q, Q, l, "query projection", &L.wq);
        be.matmul(L.wk, s.xn.data(), T, s.k.data(), ctx);
        check(s.k, KV, l, "key projection", &L.wk);
        be.matmul(L.wv, s.xn.data(), T, s.v.data(), ctx);
        check(s.v, KV, l, "value projection", &L.wv);
        if (hp.qkv_bias) {
            add_bias(s.q, L.bq);
            check(s.q, Q, l, "query bias", &L.bq);
            add_bias(s.k, L.bk);
            check(s.k, KV, l, "key bias", &L.bk);
            add_bias(s.v, L.bv);
            check(s.v, KV, l, "value bias", &L.bv);
        }
        be.rope_rotate(s.q.data(), T, hp.n_head, hp, s.rope_cos.data(), s.rope_sin.data());
        be.rope_rotate(s.k.data(), T, hp.n_head_kv, hp, s.rope_cos.data(), s.rope_sin.data());
        for (int64_t t = 0; t < T; ++t) {
            cache.store_k(l, b.cells[t], s.k.data() + t * KV);
            cache.store_v(l, b.cells[t], s.v.data() + t * KV);
        }
        check(s.q, Q, l, "rotary embedding of the queries", model.rope_freqs.present() ? &model.rope_freqs : nullptr);
        check(s.k, KV, l, "rotary embedding of the keys", model.rope_freqs.present() ? &model.rope_freqs : nullptr);
        // Each token's attention over the cells its span lets it see, in chunks between stop checks.
        for (int32_t t0 = 0; t0 < b.n_tokens; t0 += kAttentionRowsPerCheck) {
            if (t0 > 0) stop_if_asked(should_stop, l, hp);
            const int32_t n = std::min(kAttentionRowsPerCheck, b.n_tokens - t0);
            be.attention(cache, l, shape, cells, b.spans + t0, s.q.data() + t0 * Q, s.attn.data() + t0 * Q, n, ctx);
        }
        check(s.attn, Q, l, "attention");
        be.matmul(L.wo, s.attn.data(), T, s.proj.data(), ctx);
        check(s.proj, E, l, "attention output", &L.wo);
        be.add(s.x.data(), s.proj.data(), T * E);
        check(s.x, E, l, "residual after attention");

        stop_if_asked(should_stop, l, hp);
        // Feed-forward block: x += W_down · (silu(W_gate·n(x)) ⊙ W_up·n(x))
        be.rms_norm(s.x.data(), T, L.ffn_norm, hp.rms_norm_eps, s.xn.data());
        check(s.xn, E, l, "feed-forward norm", &L.ffn_norm);
        be.matmul(L.ffn_gate, s.xn.data(), T, s.gate.data(), ctx);
        check(s.gate, F, l, "feed-forward gate", &L.ffn_gate);
        be.matmul(L.ffn_up, s.xn.data(), T, s.up.data(), ctx);
        check(s.up, F, l, "feed-forward up projection", &L.ffn_up);
        be.swiglu(s.gate.data(), s.up.data(), s.gate.data(), T * F);
        check(s.gate, F, l, "feed-forward activation");
        be.matmul(L.ffn_down, s.gate.data(), T, s.proj.data(), ctx);
        check(s.proj, E, l, "feed-forward output", &L.ffn_down);
        be.add(s.x.data(), s.proj.data(), T * E);
        check(s.x, E, l, "residual after the feed-forward block");
    }

    // Output head, only for the rows whose logits are wanted.
    if (b.n_outputs == 0) return;
    const int64_t rows = b.n_outputs;
    for (int64_t t = 0; t < rows; ++t) {
        be.rms_norm(s.x.data() + b.output_rows[t] * E, 1, model.output_norm, hp.rms_norm_eps, s.xn.data() + t * E);
    }
    if (diagnose) require_finite(s.xn.data(), static_cast<size_t>(rows * E), -1, "output norm", &model.output_norm);
    be.matmul(model.output, s.xn.data(), rows, logits, ctx);
    if (diagnose) require_finite(logits, static_cast<size_t>(rows * hp.n_vocab), -1, "output projection", &model.output);
}

}  // namespace lamina
