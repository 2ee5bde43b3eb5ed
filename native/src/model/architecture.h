// The llama-family architectures Lamina runs and how they differ. Data, not code paths.
#pragma once

#include <string_view>

#include "model/hparams.h"

namespace lamina {

struct ArchitectureTraits {
    const char *name;
    RopeLayout rope_layout;
    bool qkv_bias;  // Q, K and V projections carry biases
};

// nullptr for an architecture Lamina does not run.
const ArchitectureTraits *find_architecture(std::string_view name);
// "llama, qwen2" — for error messages.
const char *supported_architectures();

}  // namespace lamina
