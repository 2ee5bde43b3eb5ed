// BLOOM: ALiBi position biases instead of rotary embeddings, LayerNorm with biases (the
// embeddings get one too), a fused QKV matrix and every projection with a bias, GELU MLP.
#include "model/arch/architecture.h"
#include "model/arch/common_tensors.h"
#include "model/forward.h"

namespace lamina {
namespace {

void read_hparams(const GgufFile &, ModelHparams &hp) {
    hp.alibi = true;
    hp.alibi_max_bias = 8.0f;
}

void bind(WeightBinder &b, const ModelHparams &hp, ModelWeights &w) {
    const int64_t E = hp.n_embd, Q = hp.n_embd_q(), K = hp.n_embd_k(), V = hp.n_embd_v(), F = hp.n_ff;
    bind_embeddings(b, hp, w);
    w.token_embd_norm = b.vector("token_embd_norm.weight", E);
    w.token_embd_norm_b = b.vector("token_embd_norm.bias", E);
    w.output_norm_b = b.vector("output_norm.bias", E);
    for (int32_t l = 0; l < hp.n_layer; ++l) {
        const LayerNames n(l);
        LayerWeights &L = w.layers[l];
        L.attn_norm = b.vector(n("attn_norm.weight"), E);
        L.attn_norm_b = b.vector(n("attn_norm.bias"), E);
        L.wqkv = b.matrix(n("attn_qkv.weight"), {E, Q + K + V});
        L.bqkv = b.vector(n("attn_qkv.bias"), Q + K + V);
        L.wo = b.matrix(n("attn_output.weight"), {Q, E});
        L.bo = b.vector(n("attn_output.bias"), E);
        L.ffn_norm = b.vector(n("ffn_norm.weight"), E);
        L.ffn_norm_b = b.vector(n("ffn_norm.bias"), E);
        L.ffn_up = b.matrix(n("ffn_up.weight"), {E, F});
        L.ffn_up_b = b.vector(n("ffn_up.bias"), F);
        L.ffn_down = b.matrix(n("ffn_down.weight"), {F, E});
        L.ffn_down_b = b.vector(n("ffn_down.bias"), E);
    }
}

void forward(Forward &f) {
    f.embed();  // with the embedding LayerNorm
    for (int32_t l = 0; l < f.hp().n_layer; ++l) {
        const LayerWeights &L = f.layer(l);
        f.begin_layer(l);
        f.layer_norm(f.x(), L.attn_norm, L.attn_norm_b, f.xn(), l, "attention norm");
        f.attention(l, f.xn(), f.out());  // ALiBi
        f.add_residual(f.out(), l, "residual after attention");
        f.layer_norm(f.x(), L.ffn_norm, L.ffn_norm_b, f.xn(), l, "feed-forward norm");
        f.feed_forward(l, f.xn(), f.out(), FfnActivation::Gelu);
        f.add_residual(f.out(), l, "residual after the feed-forward block");
    }
    f.output_head_layer_norm();
}

}  // namespace

extern const Architecture kBloomArchitecture = {
    "bloom", "ALiBi instead of rotary, LayerNorm with biases (embeddings too), fused QKV, GELU MLP", read_hparams, bind,
    forward};

}  // namespace lamina
