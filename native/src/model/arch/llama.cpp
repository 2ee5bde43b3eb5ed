// LLaMA (and Mistral, Mixtral, TinyLlama, SmolLM...): pre-RMSNorm blocks, rotary embeddings on
// adjacent pairs, SwiGLU feed-forward, or a softmax-routed mixture of experts.
#include "model/arch/architecture.h"
#include "model/arch/common_tensors.h"
#include "model/forward.h"

namespace lamina {
namespace {

void read_hparams(const GgufFile &, ModelHparams &hp) {
    hp.rope_layout = RopeLayout::Adjacent;
    // Mixtral renormalises the chosen experts' weights.
    hp.expert_weights_norm = true;
}

void bind(WeightBinder &b, const ModelHparams &hp, ModelWeights &w) {
    bind_embeddings(b, hp, w);
    w.rope_freqs = b.optional_vector("rope_freqs.weight", hp.n_rot / 2);
    for (int32_t l = 0; l < hp.n_layer; ++l) {
        const LayerNames n(l);
        LayerWeights &L = w.layers[l];
        L.attn_norm = b.vector(n("attn_norm.weight"), hp.n_embd);
        bind_attention(b, hp, l, L);
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
        // x += attention(rms_norm(x))
        f.rms_norm(f.x(), L.attn_norm, f.xn(), l, "attention norm");
        f.attention(l, f.xn(), f.out());
        f.add_residual(f.out(), l, "residual after attention");
        // x += ffn(rms_norm(x)), dense or through the experts
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

extern const Architecture kLlamaArchitecture = {
    "llama", "pre-RMSNorm, rotary (adjacent pairs), SwiGLU; optional experts (softmax top-k)", read_hparams, bind,
    forward};

}  // namespace lamina
