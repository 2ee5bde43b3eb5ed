// The K formats (Q2_K .. Q6_K, and Q8_K, their activation format): scalar dequantization,
// reference quantizers (ggml's quantize_row_*_ref algorithms, no importance matrix), and scalar
// dot products against Q8_K activations. n is the element count (a multiple of 256).
#pragma once

#include <cstdint>

#include "quant/blocks.h"

namespace lamina::quant {

void dequantize_row_q2_K(const BlockQ2_K *x, float *y, int64_t n);
void dequantize_row_q3_K(const BlockQ3_K *x, float *y, int64_t n);
void dequantize_row_q4_K(const BlockQ4_K *x, float *y, int64_t n);
void dequantize_row_q5_K(const BlockQ5_K *x, float *y, int64_t n);
void dequantize_row_q6_K(const BlockQ6_K *x, float *y, int64_t n);
void dequantize_row_q8_K(const BlockQ8_K *x, float *y, int64_t n);

void quantize_row_q2_K_ref(const float *x, BlockQ2_K *y, int64_t n);
void quantize_row_q3_K_ref(const float *x, BlockQ3_K *y, int64_t n);
void quantize_row_q4_K_ref(const float *x, BlockQ4_K *y, int64_t n);
void quantize_row_q5_K_ref(const float *x, BlockQ5_K *y, int64_t n);
void quantize_row_q6_K_ref(const float *x, BlockQ6_K *y, int64_t n);
void quantize_row_q8_K_ref(const float *x, BlockQ8_K *y, int64_t n);

float vec_dot_q2_K_q8_K(int64_t n, const BlockQ2_K *w, const BlockQ8_K *a);
float vec_dot_q3_K_q8_K(int64_t n, const BlockQ3_K *w, const BlockQ8_K *a);
float vec_dot_q4_K_q8_K(int64_t n, const BlockQ4_K *w, const BlockQ8_K *a);
float vec_dot_q5_K_q8_K(int64_t n, const BlockQ5_K *w, const BlockQ8_K *a);
float vec_dot_q6_K_q8_K(int64_t n, const BlockQ6_K *w, const BlockQ8_K *a);

// The integer levels of one super-block in element order (what the formats' bit placement
// means; dequantization and the scalar dot products are written on top of these).
void q2_K_levels(const BlockQ2_K &b, uint8_t L[kQK_K]);  // 0..3
void q3_K_levels(const BlockQ3_K &b, int8_t L[kQK_K]);   // -4..3
void q4_K_levels(const BlockQ4_K &b, uint8_t L[kQK_K]);  // 0..15
void q5_K_levels(const BlockQ5_K &b, uint8_t L[kQK_K]);  // 0..31
void q6_K_levels(const BlockQ6_K &b, int8_t L[kQK_K]);   // -32..31

}  // namespace lamina::quant
