// The self-attention block shared by the architectures (Forward::attention).
#include <algorithm>
#include <cstring>

#include "model/forward.h"

namespace lamina {
namespace {

// Query rows attended between two stop checks: at depth the attention of a whole micro-batch is
// most of a layer's time, and a cancel should not wait for it; chunks this long still give every
// thread many (token, KV head) items.
constexpr int32_t kAttentionRowsPerCheck = 128;

}  // namespace

cpu::AttentionOptions Forward::attention_options(int32_t l) const {
    cpu::AttentionOptions o;
    o.scale = hp_.query_scale > 0.0f ? 1.0f : hp_.attention_scale;
    o.softcap = hp_.attn_logit_softcap;
    o.window = hp_.layer_is_swa(l) ? hp_.n_swa : 0;
    o.alibi_slopes = hp_.alibi ? s_.alibi_slopes.data() : nullptr;
    return o;
}

void Forward::qk_norm(float *x, int32_t n_heads, int32_t head_dim, const Weight &w, int32_t layer, const char *what) {
    // Rows of a batch's Q (or K) are n_heads heads of head_dim values, contiguous: one norm per head.
    be_.rms_norm(x, T_ * n_heads, w, hp_.rms_norm_eps, x);
    check(x, static_cast<int64_t>(n_heads) * head_dim, layer, what, &w);
}

void Forward::attention(int32_t l, const float *in, float *out) {
    const LayerWeights &L = layer(l);
    const int64_t Q = hp_.n_embd_q(), K = hp_.n_embd_k(), V = hp_.n_embd_v(), E = hp_.n_embd;
    float *q = grow(s_.q, T_ * Q), *k = grow(s_.k, T_ * K), *v = grow(s_.v, T_ * V);

    if (L.wqkv.present()) {
        // One product for the three projections, then each token's row split into Q, K and V.
        const int64_t W = Q + K + V;
        float *qkv = grow(s_.qkv, T_ * W);
        matmul(L.wqkv, in, T_, qkv);
        check(qkv, W, l, "fused QKV projection", &L.wqkv);
        if (L.bqkv.present()) add_bias(qkv, T_, L.bqkv);
        for (int64_t t = 0; t < T_; ++t) {
            std::memcpy(q + t * Q, qkv + t * W, Q * sizeof(float));
            std::memcpy(k + t * K, qkv + t * W + Q, K * sizeof(float));
            std::memcpy(v + t * V, qkv + t * W + Q + K, V * sizeof(float));
        }
    } else {
        matmul(L.wq, in, T_, q);
        check(q, Q, l, "query projection", &L.wq);
        matmul(L.wk, in, T_, k);
        check(k, K, l, "key projection", &L.wk);
        matmul(L.wv, in, T_, v);
        check(v, V, l, "value projection", &L.wv);
        if (L.bq.present()) add_bias(q, T_, L.bq);
        if (L.bk.present()) add_bias(k, T_, L.bk);
        if (L.bv.present()) add_bias(v, T_, L.bv);
        if (L.bq.present() || L.bk.present() || L.bv.present()) {
            check(q, Q, l, "query bias", &L.bq);
            check(k, K, l, "key bias", &L.bk);
            check(v, V, l, "value bias", &L.bv);
        }
    }
    if (L.q_norm.present()) qk_norm(q, hp_.n_head, hp_.head_dim, L.q_norm, l, "query norm");
    if (L.k_norm.present()) qk_norm(k, hp_.n_head_kv, hp_.head_dim, L.k_norm, l, "key norm");
    if (!hp_.alibi) {
        const bool local = hp_.has_swa_rope() && hp_.layer_is_swa(l);
        const float *cos = local ? s_.rope_cos_swa.data() : s_.rope_cos.data();
        const float *sin = local ? s_.rope_sin_swa.data() : s_.rope_sin.data();
        be_.rope_rotate(q, T_, Q, hp_.n_head, hp_.head_dim, hp_.n_rot, hp_.rope_layout, cos, sin);
        be_.rope_rotate(k, T_, K, hp_.n_head_kv, hp_.head_dim, hp_.n_rot, hp_.rope_layout, cos, sin);
        const Weight *freqs = weights().rope_freqs.present() ? &weights().rope_freqs : nullptr;
        check(q, Q, l, "rotary embedding of the queries", freqs);
        check(k, K, l, "rotary embedding of the keys", freqs);
    }
    if (hp_.query_scale > 0.0f) be_.scale(q, T_ * Q, hp_.query_scale);
    for (int64_t t = 0; t < T_; ++t) {
        cache_.store_k(l, b_.cells[t], k + t * K);
        cache_.store_v(l, b_.cells[t], v + t * V);
    }

    // Each token's attention over the cells its span lets it see, in chunks between stop checks.
    float *attn = grow(s_.attn, T_ * hp_.n_head * hp_.head_dim_v);
    const cpu::AttentionShape shape{hp_.head_dim, hp_.n_head, hp_.n_head_kv, hp_.head_dim_v};
    const cpu::AttentionOptions options = attention_options(l);
    const int64_t out_row = static_cast<int64_t>(hp_.n_head) * hp_.head_dim_v;
    for (int32_t t0 = 0; t0 < b_.n_tokens; t0 += kAttentionRowsPerCheck) {
        if (t0 > 0) stop_if_asked(l);
        const int32_t n = std::min(kAttentionRowsPerCheck, b_.n_tokens - t0);
        be_.attention(cache_, l, shape, options, cells_, b_.spans + t0, q + t0 * Q, attn + t0 * out_row, n, ctx_);
    }
    check(attn, out_row, l, "attention");
    matmul(L.wo, attn, T_, out);
    if (L.bo.present()) add_bias(out, T_, L.bo);
    check(out, E, l, "attention output", &L.wo);
}

}  // namespace lamina
