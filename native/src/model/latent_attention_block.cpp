// Multi-head latent attention (DeepSeek 2/3), in the absorbed form llama.cpp runs: the cache
// keeps, per token, the normalised KV latent (kv_lora_rank values) plus the rotated rotary key
// (n_rot values) as one key row of one KV head, and the latent again as its value row. Each
// head's query is [wk_b · q_nope | rope(q_pe)], so attention runs as multi-query attention over
// the latents; each head's output (a latent) is decompressed by wv_b before the output matrix.
#include <algorithm>
#include <cstring>

#include "model/finite_check.h"
#include "model/forward.h"

namespace lamina {

void Forward::latent_attention(int32_t l, const float *in, float *out) {
    const LayerWeights &L = layer(l);
    const int64_t H = hp_.n_head, Dk = hp_.head_dim_mla, R = hp_.n_rot, N = Dk - R, C = hp_.kv_lora_rank,
                  Dv = hp_.head_dim_v_mla;
    const int64_t KR = C + R;  // a cached key: latent and rotary part

    // Queries through their low-rank pair (or one matrix without it): H heads of [nope | rope].
    float *q = grow(s_.q, T_ * H * Dk);
    if (L.wq_a.present()) {
        float *qa = grow(s_.mla, T_ * hp_.q_lora_rank);
        matmul(L.wq_a, in, T_, qa);
        be_.rms_norm(qa, T_, L.q_a_norm, hp_.rms_norm_eps, qa);
        check(qa, hp_.q_lora_rank, l, "query latent", &L.q_a_norm);
        matmul(L.wq_b, qa, T_, q);
    } else {
        matmul(L.wq, in, T_, q);
    }
    check(q, H * Dk, l, "query projection", L.wq_b.present() ? &L.wq_b : &L.wq);

    // The compressed KV latent and the rotary key shared by every head.
    float *kv = grow(s_.k, T_ * KR);
    matmul(L.wkv_a_mqa, in, T_, kv);
    check(kv, KR, l, "compressed key/value projection", &L.wkv_a_mqa);
    be_.rope_rotate(q + N, T_, H * Dk, static_cast<int32_t>(H), static_cast<int32_t>(Dk), static_cast<int32_t>(R),
                    hp_.rope_layout, s_.rope_cos.data(), s_.rope_sin.data());
    be_.rope_rotate(kv + C, T_, KR, 1, static_cast<int32_t>(KR), static_cast<int32_t>(R), hp_.rope_layout,
                    s_.rope_cos.data(), s_.rope_sin.data());
    for (int64_t t = 0; t < T_; ++t) be_.rms_norm(kv + t * KR, 1, L.kv_a_norm, hp_.rms_norm_eps, kv + t * KR);
    check(kv, KR, l, "key/value latent", &L.kv_a_norm);
    // One cached row per token: its first C values are the value as well (values_in_keys).
    for (int64_t t = 0; t < T_; ++t) cache_.store_k(l, b_.cells[t], kv + t * KR);

    // Absorbed queries: per head, q_latent = wk_b[h] · q_nope, then the rotated part after it.
    float *qf = grow(s_.qkv, T_ * H * KR);
    float *gathered = grow(s_.ffn_in, T_ * std::max(N, C)), *absorbed = grow(s_.ffn_out, T_ * std::max(C, Dv));
    for (int64_t h = 0; h < H; ++h) {
        for (int64_t t = 0; t < T_; ++t) std::memcpy(gathered + t * N, q + (t * H + h) * Dk, N * sizeof(float));
        matmul(L.wk_b[h], gathered, T_, absorbed);
        for (int64_t t = 0; t < T_; ++t) {
            float *dst = qf + (t * H + h) * KR;
            std::memcpy(dst, absorbed + t * C, C * sizeof(float));
            std::memcpy(dst + C, q + (t * H + h) * Dk + N, R * sizeof(float));
        }
    }
    check(qf, H * KR, l, "absorbed queries");

    // Multi-query attention over the latents, in chunks between stop checks.
    float *attn = grow(s_.attn, T_ * H * C);
    const cpu::AttentionShape shape{static_cast<int32_t>(KR), static_cast<int32_t>(H), 1, static_cast<int32_t>(C)};
    const cpu::AttentionOptions options = attention_options(l);
    constexpr int32_t kRowsPerCheck = 128;
    for (int32_t t0 = 0; t0 < b_.n_tokens; t0 += kRowsPerCheck) {
        if (t0 > 0) stop_if_asked(l);
        const int32_t n = std::min(kRowsPerCheck, b_.n_tokens - t0);
        be_.attention(cache_, l, shape, options, cells_, b_.spans + t0, qf + t0 * H * KR, attn + t0 * H * C, n, ctx_);
    }
    check(attn, H * C, l, "latent attention");

    // Each head's latent output decompressed by wv_b[h], the heads side by side, then Wo.
    float *heads = grow(s_.proj, T_ * H * Dv);
    for (int64_t h = 0; h < H; ++h) {
        for (int64_t t = 0; t < T_; ++t) std::memcpy(gathered + t * C, attn + (t * H + h) * C, C * sizeof(float));
        matmul(L.wv_b[h], gathered, T_, absorbed);
        for (int64_t t = 0; t < T_; ++t) std::memcpy(heads + (t * H + h) * Dv, absorbed + t * Dv, Dv * sizeof(float));
    }
    check(heads, H * Dv, l, "decompressed values", L.wv_b.empty() ? nullptr : &L.wv_b[0]);
    matmul(L.wo, heads, T_, out);
    check(out, hp_.n_embd, l, "attention output", &L.wo);
}

}  // namespace lamina
