// DeepSeek 2 / 3 (and their distills with this architecture): multi-head latent attention
// (model/latent_attention_block.cpp: the cache keeps a compressed latent and a shared rotary
// key), YaRN rotary angles with DeepSeek's attention-scale correction, leading dense layers,
// then a mixture of experts with shared experts (softmax or sigmoid routing, optional selection
// bias and renormalisation).

#include <cmath>

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "model/arch/architecture.h"
#include "model/arch/common_tensors.h"
#include "model/forward.h"

namespace lamina {
namespace {

void read_hparams(const GgufFile &f, ModelHparams &hp) {
    hp.rope_layout = RopeLayout::Adjacent;
    if (hp.kv_lora_rank <= 0 || hp.head_dim_mla <= hp.n_rot || hp.head_dim_v_mla <= 0) {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': " + hp.architecture +
                                     " files without the absorbed latent-attention tensors (attention.kv_lora_rank, "
                                     "key_length_mla, value_length_mla) are not supported; reconvert the model");
    }
    if (hp.head_dim != hp.kv_lora_rank + hp.n_rot || hp.head_dim_v != hp.kv_lora_rank || hp.n_head_kv != 1) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': latent attention needs key_length = kv_lora_rank + rope dims (" +
                                    std::to_string(hp.kv_lora_rank + hp.n_rot) + "), value_length = kv_lora_rank and "
                                    "one KV head; the file has " + std::to_string(hp.head_dim) + ", " +
                                    std::to_string(hp.head_dim_v) + " and " + std::to_string(hp.n_head_kv));
    }
    hp.values_in_keys = true;  // the latent is both the key's first part and the value
    // llama.cpp's YaRN for DeepSeek: the rotary angles keep the file's attn_factor (YaRN's own
    // 1 + 0.1 ln(s) growth of cos/sin is cancelled), and the scores get mscale^2 / sqrt(d) with
    // mscale = attn_factor * (1 + yarn_log_multiplier * ln(s)), s = 1 / freq_scale. The file's
    // multiplier is already 0.1 * mscale_all_dim (the converter stores it so), which makes this
    // the checkpoint's own yarn_get_mscale.
    const float attn_factor = hp.rope_attn_factor;
    float mscale = attn_factor;
    if (hp.rope_yarn && hp.rope_freq_scale != 1.0f) {
        const float log_s = std::log(1.0f / hp.rope_freq_scale);
        hp.rope_attn_factor = attn_factor / (1.0f + 0.1f * log_s);
        mscale = attn_factor * (1.0f + hp.rope_yarn_log_mul * log_s);
    }
    hp.attention_scale = mscale * mscale / std::sqrt(static_cast<float>(hp.head_dim_mla));
}

void bind(WeightBinder &b, const ModelHparams &hp, ModelWeights &w) {
    bind_embeddings(b, hp, w);
    const int64_t E = hp.n_embd, H = hp.n_head, Dk = hp.head_dim_mla, R = hp.n_rot, N = Dk - R, C = hp.kv_lora_rank,
                  Dv = hp.head_dim_v_mla;
    for (int32_t l = 0; l < hp.n_layer; ++l) {
        const LayerNames n(l);
        LayerWeights &L = w.layers[l];
        L.attn_norm = b.vector(n("attn_norm.weight"), E);
        if (hp.q_lora_rank > 0) {
            L.wq_a = b.matrix(n("attn_q_a.weight"), {E, hp.q_lora_rank});
            L.q_a_norm = b.vector(n("attn_q_a_norm.weight"), hp.q_lora_rank);
            L.wq_b = b.matrix(n("attn_q_b.weight"), {hp.q_lora_rank, H * Dk});
        } else {
            L.wq = b.matrix(n("attn_q.weight"), {E, H * Dk});
        }
        L.wkv_a_mqa = b.matrix(n("attn_kv_a_mqa.weight"), {E, C + R});
        L.kv_a_norm = b.vector(n("attn_kv_a_norm.weight"), C);
        L.wk_b = b.slices(n("attn_k_b.weight"), N, C, H);
        L.wv_b = b.slices(n("attn_v_b.weight"), C, Dv, H);
        L.wo = b.matrix(n("attn_output.weight"), {H * Dv, E});
        L.ffn_norm = b.vector(n("ffn_norm.weight"), E);
        if (hp.layer_has_experts(l)) {
            bind_experts(b, hp, l, L);
        } else {
            bind_swiglu(b, hp, l, L);
        }
    }
}

void forward(Forward &f) {
    f.embed();
    for (int32_t l = 0; l < f.hp().n_layer; ++l) {
        const LayerWeights &L = f.layer(l);
        f.begin_layer(l);
        f.rms_norm(f.x(), L.attn_norm, f.xn(), l, "attention norm");
        f.latent_attention(l, f.xn(), f.out());
        f.add_residual(f.out(), l, "residual after attention");
        f.rms_norm(f.x(), L.ffn_norm, f.xn(), l, "feed-forward norm");
        if (f.hp().layer_has_experts(l)) {
            f.experts(l, f.xn(), f.out());  // with the shared experts
        } else {
            f.feed_forward(l, f.xn(), f.out(), FfnActivation::SwiGlu);
        }
        f.add_residual(f.out(), l, "residual after the feed-forward block");
    }
    f.output_head_rms();
}

}  // namespace

extern const Architecture kDeepSeek2Architecture = {
    "deepseek2",
    "multi-head latent attention (compressed KV cache, decoupled RoPE), YaRN, leading dense layers, MoE with shared "
    "experts",
    read_hparams, bind, forward};

}  // namespace lamina
