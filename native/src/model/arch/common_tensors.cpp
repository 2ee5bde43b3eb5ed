#include "model/arch/common_tensors.h"

namespace lamina {

void bind_embeddings(WeightBinder &b, const ModelHparams &hp, ModelWeights &w) {
    w.token_embd = b.matrix("token_embd.weight", {hp.n_embd, hp.n_vocab});
    w.output_norm = b.vector("output_norm.weight", hp.n_embd);
    w.output = b.optional_matrix("output.weight", {hp.n_embd, hp.n_vocab});
    if (!w.output.present()) w.output = w.token_embd;  // tied input/output embedding
    w.layers.resize(static_cast<size_t>(hp.n_layer));
}

void bind_attention(WeightBinder &b, const ModelHparams &hp, int32_t layer, LayerWeights &L) {
    const LayerNames n(layer);
    const int64_t E = hp.n_embd, Q = hp.n_embd_q(), K = hp.n_embd_k(), V = hp.n_embd_v();
    L.wq = b.matrix(n("attn_q.weight"), {E, Q});
    L.wk = b.matrix(n("attn_k.weight"), {E, K});
    L.wv = b.matrix(n("attn_v.weight"), {E, V});
    L.wo = b.matrix(n("attn_output.weight"), {Q, E});
    const Use bias = Use::Vector;
    L.bq = b.bind(n("attn_q.bias"), {Q}, bias, hp.qkv_bias);
    L.bk = b.bind(n("attn_k.bias"), {K}, bias, hp.qkv_bias);
    L.bv = b.bind(n("attn_v.bias"), {V}, bias, hp.qkv_bias);
    L.bo = b.optional_vector(n("attn_output.bias"), E);
}

void bind_qk_norm(WeightBinder &b, const ModelHparams &hp, int32_t layer, LayerWeights &L) {
    const LayerNames n(layer);
    L.q_norm = b.vector(n("attn_q_norm.weight"), hp.head_dim);
    L.k_norm = b.vector(n("attn_k_norm.weight"), hp.head_dim);
}

void bind_swiglu(WeightBinder &b, const ModelHparams &hp, int32_t layer, LayerWeights &L) {
    const LayerNames n(layer);
    L.ffn_gate = b.matrix(n("ffn_gate.weight"), {hp.n_embd, hp.n_ff});
    L.ffn_up = b.matrix(n("ffn_up.weight"), {hp.n_embd, hp.n_ff});
    L.ffn_down = b.matrix(n("ffn_down.weight"), {hp.n_ff, hp.n_embd});
}

void bind_experts(WeightBinder &b, const ModelHparams &hp, int32_t layer, LayerWeights &L) {
    const LayerNames n(layer);
    const int64_t E = hp.n_embd, F = hp.n_ff_expert, X = hp.n_expert;
    L.ffn_gate_inp = b.bind(n("ffn_gate_inp.weight"), {E, X}, Use::Matrix);
    L.ffn_exp_probs_b = b.optional_vector(n("exp_probs_b.bias"), X);
    L.gate_exps = b.slices(n("ffn_gate_exps.weight"), E, F, X);
    L.up_exps = b.slices(n("ffn_up_exps.weight"), E, F, X);
    L.down_exps = b.slices(n("ffn_down_exps.weight"), F, E, X);
    const int64_t S = F * hp.n_expert_shared;
    if (S > 0) {
        L.ffn_gate_shexp = b.matrix(n("ffn_gate_shexp.weight"), {E, S});
        L.ffn_up_shexp = b.matrix(n("ffn_up_shexp.weight"), {E, S});
        L.ffn_down_shexp = b.matrix(n("ffn_down_shexp.weight"), {S, E});
    }
}

}  // namespace lamina
