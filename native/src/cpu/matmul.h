// y = x · Wᵀ for a batch of activation rows, threaded over weight rows, with one variant's
// kernels: DotKernel for weights in the file's layout, InterleavedKernel for repacked ones.
// Activations are converted once into the weight type's partner format (DotKernel::act_type).
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/kernels.h"
#include "model/weight.h"
#include "runtime/thread_pool.h"

namespace lamina::cpu {

// x: n_tokens rows of w.cols floats; y: n_tokens rows of w.rows floats.
// `scratch` holds the converted activations between calls (grown as needed).
// Throws LaminaError(LM_ERR_INTERNAL) when `variant` has no kernel for the weight.
void matmul(const Weight &w, const float *x, int64_t n_tokens, float *y, ThreadPool &pool,
            std::vector<uint8_t> &scratch, Variant variant);

// One row of `w` as floats (embedding lookup).
void weight_row_to_float(const Weight &w, int64_t row, float *out);

}  // namespace lamina::cpu
