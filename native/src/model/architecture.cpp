#include "model/architecture.h"

namespace lamina {
namespace {
constexpr ArchitectureTraits kArchitectures[] = {
    {"llama", RopeLayout::Adjacent, false},
    {"qwen2", RopeLayout::HalfSplit, true},
};
}  // namespace

const ArchitectureTraits *find_architecture(std::string_view name) {
    for (const ArchitectureTraits &a : kArchitectures) {
        if (name == a.name) return &a;
    }
    return nullptr;
}

const char *supported_architectures() { return "llama, qwen2"; }

}  // namespace lamina
