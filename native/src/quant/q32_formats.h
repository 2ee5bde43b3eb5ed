// The 32-element formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0): scalar dequantization, ggml-compatible
// reference quantizers, and scalar dot products against Q8_0 activations. n is the element count
// (a multiple of 32). Lamina uses Q8_0 (not ggml's Q8_1) as the activation format for all of
// them: the activation sum the _1 types need is summed from the Q8_0 integers exactly instead of
// being stored as an fp16 (so results agree with ggml within its own rounding of that sum).
#pragma once

#include <cstdint>

#include "quant/blocks.h"

namespace lamina::quant {

void dequantize_row_q4_0(const BlockQ4_0 *x, float *y, int64_t n);
void dequantize_row_q4_1(const BlockQ4_1 *x, float *y, int64_t n);
void dequantize_row_q5_0(const BlockQ5_0 *x, float *y, int64_t n);
void dequantize_row_q5_1(const BlockQ5_1 *x, float *y, int64_t n);
void dequantize_row_q8_0(const BlockQ8_0 *x, float *y, int64_t n);

void quantize_row_q4_0_ref(const float *x, BlockQ4_0 *y, int64_t n);
void quantize_row_q4_1_ref(const float *x, BlockQ4_1 *y, int64_t n);
void quantize_row_q5_0_ref(const float *x, BlockQ5_0 *y, int64_t n);
void quantize_row_q5_1_ref(const float *x, BlockQ5_1 *y, int64_t n);
void quantize_row_q8_0_ref(const float *x, BlockQ8_0 *y, int64_t n);

float vec_dot_q4_0_q8_0(int64_t n, const BlockQ4_0 *w, const BlockQ8_0 *a);
float vec_dot_q4_1_q8_0(int64_t n, const BlockQ4_1 *w, const BlockQ8_0 *a);
float vec_dot_q5_0_q8_0(int64_t n, const BlockQ5_0 *w, const BlockQ8_0 *a);
float vec_dot_q5_1_q8_0(int64_t n, const BlockQ5_1 *w, const BlockQ8_0 *a);
float vec_dot_q8_0_q8_0(int64_t n, const BlockQ8_0 *w, const BlockQ8_0 *a);

// The 5-bit value of element j (0..31) of a Q5 block: low nibble | qh bit j << 4.
inline int q5_value(const uint8_t *qs, const uint8_t *qh, int j) {
    const uint32_t h = static_cast<uint32_t>(qh[0]) | (static_cast<uint32_t>(qh[1]) << 8) |
                       (static_cast<uint32_t>(qh[2]) << 16) | (static_cast<uint32_t>(qh[3]) << 24);
    const int low = j < 16 ? (qs[j] & 0xF) : (qs[j - 16] >> 4);
    return low | static_cast<int>(((h >> j) & 1) << 4);
}

}  // namespace lamina::quant
