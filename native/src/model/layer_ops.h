// The elementwise and per-row operations of a llama layer, in float32.
#pragma once

#include <cstdint>

#include "model/hparams.h"

namespace lamina {

// out = x / rms(x) * weight, over n elements.
void rms_norm(const float *x, const float *weight, float *out, int64_t n, float eps);

// Rotary position embedding, in two steps because the angles depend only on the position:
// rope_angles fills cos/sin of pos * freq_scale * base^(-2i/n_rot) for the n_rot/2 pairs (each
// angle divided by freq_divisors[i] when given: Llama 3.1 rope_freqs) once per token, and
// rope_rotate applies them in place to the first n_rot values of each of n_heads heads.
void rope_angles(int32_t pos, int32_t n_rot, float freq_base, float freq_scale, const float *freq_divisors,
                 float *cos_out, float *sin_out);
void rope_rotate(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cos_table,
                 const float *sin_table, RopeLayout layout);

// out = silu(gate) * up, elementwise.
void swiglu(const float *gate, const float *up, float *out, int64_t n);

// y += x, elementwise.
void add_in_place(float *y, const float *x, int64_t n);

}  // namespace lamina
