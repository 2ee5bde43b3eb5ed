// Qwen 3 (dense) and Qwen 3 MoE: LLaMA's blocks without biases, a per-head RMS norm of Q and K
// before the rotary embedding (NeoX layout); the MoE variant routes every layer's
// feed-forward through softmax top-k experts with renormalised weights.
#include "model/arch/architecture.h"
#include "model/arch/common_tensors.h"
#include "model/forward.h"

namespace lamina {
namespace {

void read_hparams(const GgufFile &, ModelHparams &hp) {
    hp.rope_layout = RopeLayout::HalfSplit;
    hp.expert_weights_norm = true;
}

void bind(WeightBinder &b, const ModelHparams &hp, ModelWeights &w) {
    bind_embeddings(b, hp, w);
    for (int32_t l = 0; l < hp.n_layer; ++l) {
        const LayerNames n(l);
        LayerWeights &L = w.layers[l];
        L.attn_norm = b.vector(n("attn_norm.weight"), hp.n_embd);
        bind_attention(b, hp, l, L);
        bind_qk_norm(b, hp, l, L);
        L.ffn_norm = b.vector(n("ffn_norm.weight"), hp.n_embd);
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
        f.attention(l, f.xn(), f.out());  // QK norms before the rotary embedding
        f.add_residual(f.out(), l, "residual after attention");
        f.rms_norm(f.x(), L.ffn_norm, f.xn(), l, "feed-forward norm");
        if (f.hp().layer_has_experts(l)) {
            f.experts(l, f.xn(), f.out());
        } else {
            f.feed_forward(l, f.xn(), f.out(), FfnActivation::SwiGlu);
        }
        f.add_residual(f.out(), l, "residual after the feed-forward block");
    }
    f.output_head_rms();
}

}  // namespace

extern const Architecture kQwen3Architecture = {
    "qwen3", "per-head Q/K RMSNorm, rotary in the NeoX layout, SwiGLU", read_hparams, bind, forward};
extern const Architecture kQwen3MoeArchitecture = {
    "qwen3moe", "Qwen 3 blocks with softmax top-k experts (renormalised)", read_hparams, bind, forward};

}  // namespace lamina
