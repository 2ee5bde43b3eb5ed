// The elementwise and per-row operations of a llama layer, in float32.
#pragma once

#include <cstdint>

#include "model/hparams.h"

namespace lamina {

// out = x / rms(x) * weight, over n elements.
void rms_norm(const float *x, const float *weight, float *out, int64_t n, float eps);

// Rotary position embedding of one token's heads in place: `x` holds n_heads heads of head_dim
// floats; the first n_rot of each are rotated by angles pos * freq_scale * base^(-2i/n_rot),
// each divided by freq_divisors[i] when given (Llama 3.1 rope_freqs).
void rope(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, int32_t pos, float freq_base,
          float freq_scale, const float *freq_divisors, RopeLayout layout);

// In place: x = softmax(x) over n elements.
void softmax(float *x, int64_t n);

// out = silu(gate) * up, elementwise.
void swiglu(const float *gate, const float *up, float *out, int64_t n);

// y += x, elementwise.
void add_in_place(float *y, const float *x, int64_t n);

}  // namespace lamina
