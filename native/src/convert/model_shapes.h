// Real models' exact shapes, for synthesizing random-weight GGUF files of them (benchmarks
// need no download). Data, not code paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lamina {

struct ModelShape {
    const char *name;      // "tinyllama-1.1b"
    const char *describes; // what real model it is shaped like
    const char *architecture;  // general.architecture: llama, qwen3, qwen3moe, phi3, gemma3
    int32_t n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx;
    float rope_freq_base;
    float rms_norm_eps;
    bool tied_embedding;   // no output.weight: the token embedding doubles as output
    int32_t head_dim = 0;  // 0: n_embd / n_head
    int32_t n_expert = 0, n_expert_used = 0, n_ff_expert = 0;
    int32_t n_swa = 0;                 // sliding-window width of the windowed layers (Gemma 3)
    float rope_scaling_linear = 0.0f;  // a linear rope scaling factor (0: none)
};

const ModelShape *find_model_shape(std::string_view name);  // nullptr if unknown
std::string model_shape_names();                             // "tinyllama-1.1b, ..."

}  // namespace lamina
