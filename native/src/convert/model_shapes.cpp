#include "convert/model_shapes.h"

namespace lamina {
namespace {

// {name, describes, architecture, n_embd, n_layer, n_head, n_head_kv, n_ff, n_ctx, rope base, rms eps,
//  tied, head_dim, n_expert, n_expert_used, n_ff_expert, n_swa, linear rope scaling}
constexpr ModelShape kShapes[] = {
    {"tiny-64", "a 64-wide, 2-layer test model", "llama", 64, 2, 4, 2, 192, 512, 10000.0f, 1e-5f, false},
    {"tiny-64-tied", "tiny-64 with the output matrix tied to the token embedding", "llama", 64, 2, 4, 2, 192, 512,
     10000.0f, 1e-5f, true},
    {"tiny-qwen3", "a 64-wide, 2-layer Qwen 3 test model", "qwen3", 64, 2, 4, 2, 192, 512, 1e6f, 1e-6f, true, 32},
    {"tiny-mixtral", "a 64-wide, 2-layer Mixtral test model (4 experts, 2 per token)", "llama", 64, 2, 4, 2, 128, 512,
     10000.0f, 1e-5f, false, 0, 4, 2, 128},
    {"tiny-qwen3moe", "a 64-wide, 2-layer Qwen 3 MoE test model (8 experts, 2 per token)", "qwen3moe", 64, 2, 4, 2, 192,
     512, 1e6f, 1e-6f, false, 32, 8, 2, 64},
    // 7 layers: local 0-4, global 5, local 6; a window of 16; the global layers' rope scaled
    // linearly by 8 as Gemma 3 4B/12B/27B's are.
    {"tiny-gemma3", "a 64-wide, 7-layer Gemma 3 test model (window 16, global rope scaled by 8)", "gemma3", 64, 7, 4, 2,
     128, 512, 1e6f, 1e-6f, true, 32, 0, 0, 0, 16, 8.0f},
    {"tiny-phi3", "a 64-wide, 2-layer Phi-3 test model", "phi3", 64, 2, 2, 2, 128, 4096, 10000.0f, 1e-5f, false},
    {"tinyllama-1.1b", "TinyLlama 1.1B", "llama", 2048, 22, 32, 4, 5632, 2048, 10000.0f, 1e-5f, false},
    {"llama-3.2-1b", "Llama 3.2 1B", "llama", 2048, 16, 32, 8, 8192, 131072, 500000.0f, 1e-5f, true},
    {"llama-3.2-3b", "Llama 3.2 3B", "llama", 3072, 28, 24, 8, 8192, 131072, 500000.0f, 1e-5f, true},
    {"llama-2-7b", "Llama 2 7B", "llama", 4096, 32, 32, 32, 11008, 4096, 10000.0f, 1e-5f, false},
    {"llama-3.1-8b", "Llama 3.1 8B", "llama", 4096, 32, 32, 8, 14336, 131072, 500000.0f, 1e-5f, false},
    {"qwen3-0.6b", "Qwen3 0.6B", "qwen3", 1024, 28, 16, 8, 3072, 40960, 1e6f, 1e-6f, true, 128},
    {"qwen3-30b-a3b", "Qwen3 30B-A3B (128 experts, 8 per token)", "qwen3moe", 2048, 48, 32, 4, 6144, 40960, 1e6f, 1e-6f,
     false, 128, 128, 8, 768},
    // Gemma 3 1B's vocabulary has 262144 tokens; the vocabulary file given to synth sets it here.
    {"gemma-3-1b", "Gemma 3 1B (text)", "gemma3", 1152, 26, 4, 1, 6912, 32768, 1e6f, 1e-6f, true, 256, 0, 0, 0, 512},
    {"phi-3-mini", "Phi-3 mini 4K", "phi3", 3072, 32, 32, 32, 8192, 4096, 10000.0f, 1e-5f, false},
    {"mixtral-8x7b", "Mixtral 8x7B (8 experts, 2 per token)", "llama", 4096, 32, 32, 8, 14336, 32768, 1e6f, 1e-5f,
     false, 0, 8, 2, 14336},
    // Mixtral's routing at a size that runs on a laptop: 8 experts, 2 per token, 1024 wide.
    {"mixtral-mini", "Mixtral 8x7B's routing scaled to 1024 wide and 8 layers", "llama", 1024, 8, 16, 4, 3584, 32768,
     1e6f, 1e-5f, false, 0, 8, 2, 3584},
};

}  // namespace

const ModelShape *find_model_shape(std::string_view name) {
    for (const ModelShape &s : kShapes) {
        if (name == s.name) return &s;
    }
    return nullptr;
}

std::string model_shape_names() {
    std::string s;
    for (const ModelShape &m : kShapes) s += (s.empty() ? "" : ", ") + std::string(m.name);
    return s;
}

}  // namespace lamina
