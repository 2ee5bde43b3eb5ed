// File types ("Q4_K_M", "Q8_0", "F16", ...) as llama.cpp's quantizer names them, and which
// tensor type each weight of a model gets under one: the mixes keep sensitive tensors (output,
// some attn_v / ffn_down layers) at more bits, and fall back to a 32-element format where a row
// is not a multiple of 256.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "quant/ggml_type.h"

namespace lamina {

struct FileType {
    const char *name;   // "Q4_K_M"
    int32_t id;         // general.file_type (llama.cpp's LLAMA_FTYPE numbering)
    GgmlType base;      // the type most matrices get
};

// nullptr for an unknown name (case-insensitive).
const FileType *find_file_type(std::string_view name);
// "F32, F16, BF16, Q4_0, ..." for messages and --help.
std::string file_type_names();

// The type of tensor `name` (ne0 = row length, n_dims) in layer `layer` of `n_layer`
// (layer -1 for tensors outside the blocks).
GgmlType tensor_type_for(const FileType &ft, std::string_view name, int64_t ne0, uint32_t n_dims, int32_t layer,
                         int32_t n_layer);

}  // namespace lamina
