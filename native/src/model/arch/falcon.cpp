// Falcon: attention and feed-forward side by side on one LayerNorm of the residual
// (x += attn(n(x)) + ffn(n(x))), multi-query attention through a fused QKV matrix, rotary in
// the NeoX layout, a GELU MLP without biases. Falcon-40B gives the attention a norm of its own
// (attn_norm_2).
#include "model/arch/architecture.h"
#include "model/arch/common_tensors.h"
#include "model/forward.h"

namespace lamina {
namespace {

void read_hparams(const GgufFile &, ModelHparams &hp) { hp.rope_layout = RopeLayout::HalfSplit; }

void bind(WeightBinder &b, const ModelHparams &hp, ModelWeights &w) {
    const int64_t E = hp.n_embd, Q = hp.n_embd_q(), K = hp.n_embd_k(), V = hp.n_embd_v();
    bind_embeddings(b, hp, w);
    w.output_norm_b = b.vector("output_norm.bias", E);
    for (int32_t l = 0; l < hp.n_layer; ++l) {
        const LayerNames n(l);
        LayerWeights &L = w.layers[l];
        L.attn_norm = b.vector(n("attn_norm.weight"), E);
        L.attn_norm_b = b.vector(n("attn_norm.bias"), E);
        L.attn_norm_2 = b.optional_vector(n("attn_norm_2.weight"), E);
        L.attn_norm_2_b = b.bind(n("attn_norm_2.bias"), {E}, Use::Vector, L.attn_norm_2.present());
        L.wqkv = b.matrix(n("attn_qkv.weight"), {E, Q + K + V});
        L.wo = b.matrix(n("attn_output.weight"), {Q, E});
        L.ffn_up = b.matrix(n("ffn_up.weight"), {E, hp.n_ff});
        L.ffn_down = b.matrix(n("ffn_down.weight"), {hp.n_ff, E});
    }
}

void forward(Forward &f) {
    f.embed();
    for (int32_t l = 0; l < f.hp().n_layer; ++l) {
        const LayerWeights &L = f.layer(l);
        f.begin_layer(l);
        f.layer_norm(f.x(), L.attn_norm, L.attn_norm_b, f.xn(), l, "attention norm");
        const float *attn_in = f.xn();
        if (L.attn_norm_2.present()) {
            f.layer_norm(f.x(), L.attn_norm_2, L.attn_norm_2_b, f.xn2(), l, "second attention norm");
            attn_in = f.xn2();
        }
        f.attention(l, attn_in, f.out());
        f.feed_forward(l, f.xn(), f.out2(), FfnActivation::Gelu);
        f.add(f.out(), f.out2());
        f.add_residual(f.out(), l, "residual after the parallel attention and feed-forward blocks");
    }
    f.output_head_layer_norm();
}

}  // namespace

extern const Architecture kFalconArchitecture = {
    "falcon", "parallel attention + GELU MLP on one LayerNorm, multi-query attention, fused QKV, NeoX rotary",
    read_hparams, bind, forward};

}  // namespace lamina
