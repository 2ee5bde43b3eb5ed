// Hyperparameters of a llama-family model, read from `{arch}.*` GGUF metadata.
#pragma once

#include <cstdint>
#include <string>

namespace lamina {

class GgufFile;

enum class RopeLayout {
    Adjacent,   // rotate pairs (x[2i], x[2i+1]) — llama.cpp's "norm" mode (LLaMA)
    HalfSplit,  // rotate pairs (x[i], x[i + n_rot/2]) — the NeoX layout (Qwen2)
};

struct ModelHparams {
    std::string architecture;
    int32_t n_vocab = 0;
    int32_t n_ctx_train = 0;
    int32_t n_embd = 0;
    int32_t n_layer = 0;
    int32_t n_head = 0;
    int32_t n_head_kv = 0;
    int32_t n_ff = 0;
    int32_t head_dim = 0;  // per-head width of Q and K (and V)
    int32_t n_rot = 0;     // rotated dimensions per head
    int32_t n_expert = 0;
    int32_t n_expert_used = 0;
    float rope_freq_base = 10000.0f;
    float rope_scaling_factor = 1.0f;  // {arch}.rope.scaling.factor, used by linear scaling
    float rope_freq_scale = 1.0f;      // linear rope scaling: positions are multiplied by this
    RopeLayout rope_layout = RopeLayout::Adjacent;
    float rms_norm_eps = 1e-5f;
    bool qkv_bias = false;

    int32_t n_embd_q() const { return n_head * head_dim; }
    int32_t n_embd_kv() const { return n_head_kv * head_dim; }

    // Reads and validates the hyperparameters. With vocab_only, only what the vocabulary needs
    // is required (vocabulary-only files may lack the rest). Throws LaminaError naming the key.
    static ModelHparams from_gguf(const GgufFile &file, bool vocab_only);
};

}  // namespace lamina
