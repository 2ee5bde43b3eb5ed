// Qwen 2 / 2.5: LLaMA's blocks with biases on the Q, K and V projections and rotary embeddings
// in the NeoX (half-split) layout.
#include "model/arch/architecture.h"
#include "model/arch/common_tensors.h"
#include "model/forward.h"

namespace lamina {
namespace {

void read_hparams(const GgufFile &, ModelHparams &hp) {
    hp.rope_layout = RopeLayout::HalfSplit;
    hp.qkv_bias = true;
}

void bind(WeightBinder &b, const ModelHparams &hp, ModelWeights &w) {
    bind_embeddings(b, hp, w);
    for (int32_t l = 0; l < hp.n_layer; ++l) {
        const LayerNames n(l);
        LayerWeights &L = w.layers[l];
        L.attn_norm = b.vector(n("attn_norm.weight"), hp.n_embd);
        bind_attention(b, hp, l, L);
        L.ffn_norm = b.vector(n("ffn_norm.weight"), hp.n_embd);
        bind_swiglu(b, hp, l, L);
    }
}

void forward(Forward &f) {
    f.embed();
    for (int32_t l = 0; l < f.hp().n_layer; ++l) {
        const LayerWeights &L = f.layer(l);
        f.begin_layer(l);
        f.rms_norm(f.x(), L.attn_norm, f.xn(), l, "attention norm");
        f.attention(l, f.xn(), f.out());  // Q/K/V biases
        f.add_residual(f.out(), l, "residual after attention");
        f.rms_norm(f.x(), L.ffn_norm, f.xn(), l, "feed-forward norm");
        f.feed_forward(l, f.xn(), f.out(), FfnActivation::SwiGlu);
        f.add_residual(f.out(), l, "residual after the feed-forward block");
    }
    f.output_head_rms();
}

}  // namespace

extern const Architecture kQwen2Architecture = {
    "qwen2", "LLaMA blocks with Q/K/V biases, rotary in the NeoX layout", read_hparams, bind, forward};

}  // namespace lamina
