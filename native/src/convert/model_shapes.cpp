#include "convert/model_shapes.h"

namespace lamina {
namespace {

constexpr ModelShape kShapes[] = {
    {"tiny-64", "a 64-wide, 2-layer test model", 64, 2, 4, 2, 192, 512, 10000.0f, 1e-5f, false},
    {"tiny-64-tied", "tiny-64 with the output matrix tied to the token embedding", 64, 2, 4, 2, 192, 512, 10000.0f,
     1e-5f, true},
    {"tinyllama-1.1b", "TinyLlama 1.1B", 2048, 22, 32, 4, 5632, 2048, 10000.0f, 1e-5f, false},
    {"llama-3.2-1b", "Llama 3.2 1B", 2048, 16, 32, 8, 8192, 131072, 500000.0f, 1e-5f, true},
    {"llama-3.2-3b", "Llama 3.2 3B", 3072, 28, 24, 8, 8192, 131072, 500000.0f, 1e-5f, true},
    {"llama-2-7b", "Llama 2 7B", 4096, 32, 32, 32, 11008, 4096, 10000.0f, 1e-5f, false},
    {"llama-3.1-8b", "Llama 3.1 8B", 4096, 32, 32, 8, 14336, 131072, 500000.0f, 1e-5f, false},
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
