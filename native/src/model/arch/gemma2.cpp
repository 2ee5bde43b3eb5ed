// Gemma 2: embeddings scaled by sqrt(n_embd); RMS norms before and after both blocks; attention
// scores soft-capped, a sliding window on every other layer (the even ones), queries scaled by
// 1/sqrt(head_dim); a GELU-gated feed-forward; the final logits soft-capped. Its files store
// the norms' weights with Gemma's +1 already added, so they are plain RMS norms here.
#include <cmath>

#include "model/arch/architecture.h"
#include "model/arch/common_tensors.h"
#include "model/forward.h"

namespace lamina {
namespace {

void read_hparams(const GgufFile &, ModelHparams &hp) {
    hp.rope_layout = RopeLayout::HalfSplit;
    hp.swa_layers.assign(static_cast<size_t>(hp.n_layer), false);
    for (int32_t l = 0; l < hp.n_layer; l += 2) hp.swa_layers[l] = true;
    hp.query_scale = 1.0f / std::sqrt(static_cast<float>(hp.head_dim));
}

void bind(WeightBinder &b, const ModelHparams &hp, ModelWeights &w) {
    bind_embeddings(b, hp, w);
    for (int32_t l = 0; l < hp.n_layer; ++l) {
        const LayerNames n(l);
        LayerWeights &L = w.layers[l];
        L.attn_norm = b.vector(n("attn_norm.weight"), hp.n_embd);
        bind_attention(b, hp, l, L);
        L.post_attn_norm = b.vector(n("post_attention_norm.weight"), hp.n_embd);
        L.ffn_norm = b.vector(n("ffn_norm.weight"), hp.n_embd);
        bind_swiglu(b, hp, l, L);  // gate, up, down; the activation is GELU
        L.post_ffn_norm = b.vector(n("post_ffw_norm.weight"), hp.n_embd);
    }
}

void forward(Forward &f) {
    f.embed(std::sqrt(static_cast<float>(f.hp().n_embd)));
    for (int32_t l = 0; l < f.hp().n_layer; ++l) {
        const LayerWeights &L = f.layer(l);
        f.begin_layer(l);
        // x += post_norm(attention(norm(x))), soft-capped scores, windowed on even layers
        f.rms_norm(f.x(), L.attn_norm, f.xn(), l, "attention norm");
        f.attention(l, f.xn(), f.out());
        f.rms_norm(f.out(), L.post_attn_norm, f.out(), l, "post-attention norm");
        f.add_residual(f.out(), l, "residual after attention");
        // x += post_norm(down(gelu(gate) * up)(norm(x)))
        f.rms_norm(f.x(), L.ffn_norm, f.xn(), l, "feed-forward norm");
        f.feed_forward(l, f.xn(), f.out(), FfnActivation::GeGluTanh);
        f.rms_norm(f.out(), L.post_ffn_norm, f.out(), l, "post-feed-forward norm");
        f.add_residual(f.out(), l, "residual after the feed-forward block");
    }
    f.output_head_rms();  // then the final soft cap
}

}  // namespace

extern const Architecture kGemma2Architecture = {
    "gemma2",
    "sqrt(n_embd)-scaled embeddings, pre+post RMSNorms, soft-capped attention and logits, sliding window on "
    "alternate layers, GELU-gated FFN",
    read_hparams, bind, forward};

}  // namespace lamina
