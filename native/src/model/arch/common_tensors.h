// The tensors most architectures share, bound under their llama.cpp names, for the bind
// functions of model/arch/ to compose.
#pragma once

#include <string>

#include "model/hparams.h"
#include "model/model_weights.h"
#include "model/weight_binder.h"

namespace lamina {

// "blk.3.attn_q.weight" from LayerNames(3)("attn_q.weight").
struct LayerNames {
    explicit LayerNames(int32_t layer) : prefix("blk." + std::to_string(layer) + ".") {}
    std::string operator()(const char *name) const { return prefix + name; }
    std::string prefix;
};

// token_embd, output_norm and output (the embedding when absent: tied); sizes w.layers.
void bind_embeddings(WeightBinder &b, const ModelHparams &hp, ModelWeights &w);
// attn_q/k/v/output and their biases when the file has them (Q/K/V's required when hp.qkv_bias).
void bind_attention(WeightBinder &b, const ModelHparams &hp, int32_t layer, LayerWeights &L);
// The per-head RMS norms attn_q_norm and attn_k_norm.
void bind_qk_norm(WeightBinder &b, const ModelHparams &hp, int32_t layer, LayerWeights &L);
// ffn_gate, ffn_up, ffn_down of n_ff.
void bind_swiglu(WeightBinder &b, const ModelHparams &hp, int32_t layer, LayerWeights &L);
// ffn_gate_inp and the experts' ffn_{gate,up,down}_exps of n_ff_expert; the shared experts'
// ffn_{gate,up,down}_shexp when present (n_expert_shared x n_ff_expert wide).
void bind_experts(WeightBinder &b, const ModelHparams &hp, int32_t layer, LayerWeights &L);

}  // namespace lamina
