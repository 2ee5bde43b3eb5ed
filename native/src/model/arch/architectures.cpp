#include "model/arch/architecture.h"

namespace lamina {

extern const Architecture kLlamaArchitecture;
extern const Architecture kQwen2Architecture;
extern const Architecture kQwen3Architecture;
extern const Architecture kQwen3MoeArchitecture;
extern const Architecture kGemma2Architecture;
extern const Architecture kGemma3Architecture;
extern const Architecture kPhi3Architecture;
extern const Architecture kFalconArchitecture;
extern const Architecture kBloomArchitecture;
extern const Architecture kDeepSeek2Architecture;

const std::vector<const Architecture *> &architectures() {
    static const std::vector<const Architecture *> table = {
        &kLlamaArchitecture,
        &kQwen2Architecture,
        &kQwen3Architecture,
        &kQwen3MoeArchitecture,
        &kGemma2Architecture,
        &kGemma3Architecture,
        &kPhi3Architecture,
        &kFalconArchitecture,
        &kBloomArchitecture,
        &kDeepSeek2Architecture,
    };
    return table;
}

const Architecture *find_architecture(std::string_view name) {
    for (const Architecture *a : architectures()) {
        if (name == a->name) return a;
    }
    return nullptr;
}

std::string supported_architectures() {
    std::string s;
    for (const Architecture *a : architectures()) s += (s.empty() ? "" : ", ") + std::string(a->name);
    return s;
}

}  // namespace lamina
