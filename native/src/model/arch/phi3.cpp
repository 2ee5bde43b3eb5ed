// Phi-3: pre-RMSNorm blocks with one fused QKV matrix and one fused gate+up matrix, rotary in
// the NeoX layout with optional LongRoPE factors (short/long, chosen by the context size).
// Its files carry a sliding window, but llama.cpp runs Phi-3 without one (its conversions get
// the window wrong for some models), and so does Lamina, to compute what llama.cpp computes.
#include <cmath>

#include "model/arch/architecture.h"
#include "model/arch/common_tensors.h"
#include "model/forward.h"

namespace lamina {
namespace {

void read_hparams(const GgufFile &, ModelHparams &hp) {
    hp.rope_layout = RopeLayout::HalfSplit;
    hp.n_swa = 0;
    hp.query_scale = 1.0f / std::sqrt(static_cast<float>(hp.head_dim));
}

void bind(WeightBinder &b, const ModelHparams &hp, ModelWeights &w) {
    bind_embeddings(b, hp, w);
    w.rope_factors_long = b.optional_vector("rope_factors_long.weight", hp.n_rot / 2);
    w.rope_factors_short = b.optional_vector("rope_factors_short.weight", hp.n_rot / 2);
    const int64_t E = hp.n_embd, Q = hp.n_embd_q(), K = hp.n_embd_k(), V = hp.n_embd_v();
    for (int32_t l = 0; l < hp.n_layer; ++l) {
        const LayerNames n(l);
        LayerWeights &L = w.layers[l];
        L.attn_norm = b.vector(n("attn_norm.weight"), E);
        L.wqkv = b.matrix(n("attn_qkv.weight"), {E, Q + K + V});
        L.wo = b.matrix(n("attn_output.weight"), {Q, E});
        L.ffn_norm = b.vector(n("ffn_norm.weight"), E);
        L.ffn_up = b.matrix(n("ffn_up.weight"), {E, 2 * int64_t{hp.n_ff}});
        L.ffn_down = b.matrix(n("ffn_down.weight"), {hp.n_ff, E});
    }
}

void forward(Forward &f) {
    f.embed();
    for (int32_t l = 0; l < f.hp().n_layer; ++l) {
        const LayerWeights &L = f.layer(l);
        f.begin_layer(l);
        f.rms_norm(f.x(), L.attn_norm, f.xn(), l, "attention norm");
        f.attention(l, f.xn(), f.out());  // fused QKV
        f.add_residual(f.out(), l, "residual after attention");
        f.rms_norm(f.x(), L.ffn_norm, f.xn(), l, "feed-forward norm");
        f.feed_forward(l, f.xn(), f.out(), FfnActivation::SwiGlu);  // fused gate+up
        f.add_residual(f.out(), l, "residual after the feed-forward block");
    }
    f.output_head_rms();
}

}  // namespace

extern const Architecture kPhi3Architecture = {
    "phi3", "fused QKV and gate+up matrices, rotary in the NeoX layout, LongRoPE factors", read_hparams, bind,
    forward};

}  // namespace lamina
