// Type-generic entry points over the block formats: quantize rows of floats into any supported
// type (for `lamina quantize` and tests) and dequantize them back.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quant/ggml_type.h"

namespace lamina::quant {

// Whether quantize()/dequantize_row() handle `type` (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1,
// Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K).
bool can_quantize(GgmlType type);

// Bytes of one row of n_per_row elements of `type` (0 if the type is unknown or n_per_row is
// not a multiple of its block size).
size_t row_bytes(GgmlType type, int64_t n_per_row);

// Quantizes n_rows rows of n_per_row floats into `type` with the reference quantizers; dst
// holds n_rows * row_bytes(type, n_per_row) bytes. Returns false (writing nothing) if the type
// is unsupported or n_per_row is not a multiple of its block size.
bool quantize(GgmlType type, const float *src, void *dst, int64_t n_rows, int64_t n_per_row);

// Converts n elements (a multiple of the block size) of `type` to float; false if unsupported.
bool dequantize_row(GgmlType type, const void *src, float *dst, int64_t n);

}  // namespace lamina::quant
