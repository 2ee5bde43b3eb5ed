// Hyperparameters of a model, read from `{arch}.*` GGUF metadata. The keys every architecture
// may carry are read here; what an architecture fixes or reads besides (its rotary layout, its
// sliding-window pattern, its attention scale) its file under model/arch/ sets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lamina {

class GgufFile;

enum class RopeLayout {
    Adjacent,   // rotate pairs (x[2i], x[2i+1]) — llama.cpp's "norm" mode (LLaMA)
    HalfSplit,  // rotate pairs (x[i], x[i + n_rot/2]) — the NeoX layout (Qwen2)
};

// How a mixture-of-experts router turns its logits into expert weights.
enum class ExpertGating { Softmax, Sigmoid };

struct ModelHparams {
    std::string architecture;
    int32_t n_vocab = 0;
    int32_t n_ctx_train = 0;
    int32_t n_embd = 0;
    int32_t n_layer = 0;
    int32_t n_head = 0;
    int32_t n_head_kv = 0;
    int32_t n_ff = 0;
    int32_t head_dim = 0;    // per-head width of Q and K
    int32_t head_dim_v = 0;  // per-head width of V
    int32_t n_rot = 0;       // rotated dimensions per head

    // Mixture of experts.
    int32_t n_expert = 0;
    int32_t n_expert_used = 0;
    int32_t n_ff_expert = 0;         // each expert's hidden width (n_ff when the key is absent)
    int32_t n_expert_shared = 0;     // experts every token goes through (DeepSeek)
    int32_t n_layer_dense_lead = 0;  // leading layers with a dense feed-forward block
    ExpertGating expert_gating = ExpertGating::Softmax;
    bool expert_weights_norm = false;  // the chosen experts' weights are renormalised to sum 1
    float expert_weights_scale = 1.0f;

    // Multi-head latent attention (DeepSeek 2/3): queries and keys/values through low-rank
    // projections; the cache keeps the kv_lora_rank latent plus the rotary part of the key.
    int32_t q_lora_rank = 0;
    int32_t kv_lora_rank = 0;
    int32_t head_dim_mla = 0;    // per-head width of Q/K before absorption (nope + rope)
    int32_t head_dim_v_mla = 0;  // per-head width of V after decompression
    bool values_in_keys = false; // the cached V row is the start of the K row (the latent), kept once

    // Rotary embedding.
    float rope_freq_base = 10000.0f;
    float rope_scaling_factor = 1.0f;  // {arch}.rope.scaling.factor
    float rope_freq_scale = 1.0f;      // positions are multiplied by this (linear and YaRN scaling)
    RopeLayout rope_layout = RopeLayout::Adjacent;
    bool rope_yarn = false;
    int32_t rope_n_ctx_orig = 0;       // the context the model was trained on before scaling
    float rope_attn_factor = 1.0f;     // YaRN: scales cos/sin
    float rope_yarn_log_mul = 0.0f;    // DeepSeek's YaRN mscale multiplier
    float rope_yarn_beta_fast = 32.0f;
    float rope_yarn_beta_slow = 1.0f;
    // The sliding-window layers' own rotary base and position scale (Gemma 3: 10000, unscaled,
    // while the global layers take rope.freq_base and the file's scaling); 0: as the others.
    float rope_freq_base_swa = 0.0f;
    float rope_freq_scale_swa = 1.0f;

    // Norms and attention.
    float rms_norm_eps = 1e-5f;
    float layer_norm_eps = 1e-5f;
    bool qkv_bias = false;
    float attention_scale = 0.0f;      // 0: 1 / sqrt(head_dim)
    // When set, the queries are multiplied by it before attention and the scores are not scaled
    // again: llama.cpp scales Phi-3's and Gemma's queries so, and their F16 rounding follows it.
    float query_scale = 0.0f;
    float attn_logit_softcap = 0.0f;   // 0: none; else scores become c * tanh(score / c)
    float final_logit_softcap = 0.0f;
    int32_t pooling_type = 0;          // {arch}.pooling_type: 0 none, 1 mean, 2 cls, 3 last
    int32_t n_swa = 0;                 // sliding-window width of the layers that have one
    std::vector<bool> swa_layers;      // per layer: whether it attends through the window
    bool alibi = false;                // ALiBi position biases instead of rotary embeddings
    float alibi_max_bias = 8.0f;

    int32_t n_embd_q() const { return n_head * head_dim; }
    int32_t n_embd_k() const { return n_head_kv * head_dim; }
    int32_t n_embd_v() const { return n_head_kv * head_dim_v; }
    bool layer_is_swa(int32_t l) const { return n_swa > 0 && l < static_cast<int32_t>(swa_layers.size()) && swa_layers[l]; }
    // Whether the sliding-window layers rotate with angles of their own (rope_freq_base_swa).
    bool has_swa_rope() const { return rope_freq_base_swa > 0.0f && n_swa > 0; }
    // The hidden width of layer l's dense feed-forward block.
    int32_t layer_n_ff(int32_t) const { return n_ff; }
    bool layer_has_experts(int32_t l) const { return n_expert > 0 && l >= n_layer_dense_lead; }

    // Reads and validates the hyperparameters. With vocab_only, only what the vocabulary needs
    // is required (vocabulary-only files may lack the rest). Throws LaminaError naming the key.
    static ModelHparams from_gguf(const GgufFile &file, bool vocab_only);
};

}  // namespace lamina
