// A weight matrix or vector viewed in place in the mapped GGUF file, or (interleaved) in the
// model's repacked copy of a Q4_0/Q8_0/Q4_K/Q5_K/Q6_K matrix: groups of 16 rows, see quant/interleaved.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quant/ggml_type.h"

namespace lamina {

struct Weight {
    const char *name = nullptr;   // points into the mapping's tensor name (not NUL-terminated!)
    size_t name_len = 0;
    GgmlType type = GgmlType::F32;
    int64_t cols = 0;             // ne[0]: the length of one row (the dot-product length)
    int64_t rows = 0;             // ne[1]
    int64_t slices = 1;           // ne[2] (experts)
    size_t row_bytes = 0;
    const uint8_t *data = nullptr;
    bool interleaved = false;     // data holds rows / 16 groups of quant::interleaved_group_bytes(type, cols)

    bool present() const { return data != nullptr; }
    // Row r in the file's layout (not for interleaved weights).
    const uint8_t *row(int64_t r) const { return data + static_cast<size_t>(r) * row_bytes; }
};

}  // namespace lamina
