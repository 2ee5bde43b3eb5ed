// Writes a random LoRA adapter for a model (`lamina synth-lora`) in llama.cpp's GGUF adapter
// format, so tests and reference data have a reproducible adapter: the same base file, options
// and seed give the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "quant/ggml_type.h"

namespace lamina {

struct LoraSynthesis {
    // Which matrices get a pair: the part of a tensor name between "blk.N." and ".weight"
    // ("attn_q", "ffn_down"), or a whole name without ".weight" ("output"). Each must match at
    // least one 2-D tensor of the base file.
    std::vector<std::string> targets;
    GgmlType type = GgmlType::F32;  // F32, F16 or Q8_0 (both dimensions of each half multiples of 32)
    int64_t rank = 8;
    float alpha = 16.0f;  // adapter.lora.alpha; 0 writes none
    uint64_t seed = 1;
};

// A's elements have a standard deviation of 1/sqrt(n_in) and B's of 0.02, so B·(A·x) is of the
// order of a synthesized model's own products. Throws LaminaError naming the bad option.
void synthesize_lora(const std::string &base_path, const std::string &out_path, const LoraSynthesis &options);

}  // namespace lamina
