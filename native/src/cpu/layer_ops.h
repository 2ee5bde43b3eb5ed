// The per-row float operations of a llama layer (everything but the matrix products and the
// attention), with a scalar reference and per-ISA variants chosen like the dot-product kernels
// (cpu/kernels.h). The variants compute what the scalar reference does, product for product
// (no fused multiply-adds, so results are the same bits), except for the order of the double
// sum of squares in rms_norm and the exponential of swiglu (within 2 ulp of expf).
// tests/native/cpu_ops_test.cpp holds every variant to the reference.
#pragma once

#include <cstdint>

#include "cpu/kernels.h"
#include "model/hparams.h"

namespace lamina::cpu {

struct LayerOps {
    // out = x / rms(x) * weight over n elements; the mean of squares is summed in double.
    void (*rms_norm)(const float *x, const float *weight, float *out, int64_t n, float eps);
    // Rotates the first n_rot values of each of n_heads heads (head_dim apart) in place by the
    // n_rot/2 angles whose cos/sin are given (see rope_angles).
    void (*rope_rotate)(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cos_table,
                        const float *sin_table, RopeLayout layout);
    // out = silu(gate) * up = gate / (1 + exp(-gate)) * up, elementwise; out may be gate or up.
    void (*swiglu)(const float *gate, const float *up, float *out, int64_t n);
    // y += x, elementwise.
    void (*add)(float *y, const float *x, int64_t n);
};

// The operations of variant `v`; nullptr when this CPU cannot run it.
const LayerOps *layer_ops(Variant v);

// How rotary angles are made: pos * freq_scale * base^(-2i/n_rot) for the n_rot/2 pairs, with
// YaRN's ramp between interpolated and extrapolated angles when ext_factor is set, and cos/sin
// scaled by mscale.
struct RopeParams {
    int32_t n_rot = 0;
    float freq_base = 10000.0f;
    float freq_scale = 1.0f;
    float mscale = 1.0f;
    float ext_factor = 0.0f;
    float corr_lo = 0.0f, corr_hi = 0.0f;
};
// The rotary parameters of the model's layers, or with swa those of its sliding-window layers
// (their own base and scale when hp.has_swa_rope()).
RopeParams rope_params(const ModelHparams &hp, bool swa = false);

// The angles' cos/sin for one position, each angle divided by freq_divisors[i] when given
// (Llama 3.1 rope_freqs, Phi-3's LongRoPE factors). In double, once per token: every variant
// and every layer uses the same table.
void rope_angles(int32_t pos, const RopeParams &p, const float *freq_divisors, float *cos_out, float *sin_out);

}  // namespace lamina::cpu
