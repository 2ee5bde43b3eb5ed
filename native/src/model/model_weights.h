// The tensors of a model bound by role. Which of them an architecture has is its file's
// business (model/arch/); a block (model/forward.h) computes with what is present, so one
// attention block serves separate or fused projections, with or without biases and QK norms.
#pragma once

#include <vector>

#include "model/weight.h"

namespace lamina {

struct LayerWeights {
    // Norms: before attention and before the feed-forward block (biases for LayerNorm), and
    // the post-norms of Gemma 2 applied to each block's output.
    Weight attn_norm, attn_norm_b, post_attn_norm;
    Weight attn_norm_2, attn_norm_2_b;  // Falcon-40B: the attention's own norm beside the FFN's
    Weight ffn_norm, ffn_norm_b, post_ffn_norm;

    // Attention: separate Q/K/V projections or one fused QKV matrix, optional biases, optional
    // per-head RMS norms of Q and K (Qwen 3, Gemma 3).
    Weight wq, wk, wv, wqkv, wo;
    Weight bq, bk, bv, bqkv, bo;
    Weight q_norm, k_norm;

    // Multi-head latent attention: Q through a low-rank pair (q_a, q_b; or wq without LoRA),
    // the compressed KV latent and the shared rotary key from kv_a_mqa; wk_b absorbs K's
    // decompression into the query, wv_b decompresses the attention's latent output per head.
    Weight wq_a, q_a_norm, wq_b, wkv_a_mqa, kv_a_norm;
    std::vector<Weight> wk_b, wv_b;  // per head

    // Dense feed-forward: gate and up separate, or fused in ffn_up (gate first, as Phi-3);
    // no gate for plain GELU MLPs (Bloom, Falcon).
    Weight ffn_gate, ffn_up, ffn_down, ffn_up_b, ffn_down_b;

    // Mixture of experts: the router, an optional per-expert selection bias (DeepSeek V3),
    // each expert's matrices as its slice of the file's 3-D tensors, and shared experts.
    Weight ffn_gate_inp, ffn_exp_probs_b;
    std::vector<Weight> gate_exps, up_exps, down_exps;
    Weight ffn_gate_shexp, ffn_up_shexp, ffn_down_shexp;
};

struct ModelWeights {
    Weight token_embd;
    Weight token_embd_norm, token_embd_norm_b;  // LayerNorm of the embeddings (Bloom)
    Weight output_norm, output_norm_b;
    Weight output;      // the token embedding when the model ties them
    Weight rope_freqs;  // optional per-frequency divisors (Llama 3.1 scaling)
    Weight rope_factors_long, rope_factors_short;  // LongRoPE divisors (Phi-3), by context size
    Weight output_b;
    std::vector<LayerWeights> layers;

    // Every matrix a matmul reads (for the backend to prepare), the token embedding excluded.
    std::vector<Weight *> matrices();
    std::vector<const Weight *> matrices() const;
};

}  // namespace lamina
