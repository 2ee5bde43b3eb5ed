// Converts a tensor's rows from floats (or from any type Lamina reads) into a target type,
// splitting rows across threads. Shared by quantize_model and synthesize_model.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "quant/ggml_type.h"
#include "runtime/thread_pool.h"

namespace lamina {

// Produces rows [r0, r1) of the source as floats into `out` ((r1 - r0) * n_per_row floats).
using RowSource = std::function<void(int64_t r0, int64_t r1, float *out)>;

// Fills `dst` with n_rows rows of `type`. Throws LaminaError if the type cannot be written.
void convert_rows(GgmlType type, int64_t n_rows, int64_t n_per_row, const RowSource &source, ThreadPool &pool,
                  std::vector<uint8_t> &dst);

}  // namespace lamina
