// NEON layer operations (cpu/layer_ops.h), 4 lanes; the loops are cpu/layer_op_tiles.h.
// Contraction is off in this file (GCC fuses by default on aarch64) so products and sums keep
// the reference's roundings; the exponential's FMAs are explicit.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <arm_neon.h>

#include "cpu/layer_op_tiles.h"
#include "cpu/layer_ops.h"
#include "cpu/variant_tables.h"

namespace lamina::cpu::detail {
namespace {

// exp(x), within 2 ulp of expf: the algorithm of x86_exp.h (Cody-Waite reduction, Cephes'
// polynomial, 2^n in two halves, +inf above ln(FLT_MAX), 0 below -104).
float32x4_t exp_ps(float32x4_t x) {
    const uint32x4_t overflow = vcgtq_f32(x, vdupq_n_f32(88.72283935546875f));
    x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(-104.0f)), vdupq_n_f32(88.72283935546875f));
    const float32x4_t n = vrndnq_f32(vmulq_f32(x, vdupq_n_f32(1.44269504088896341f)));
    float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0.693359375f));
    r = vfmsq_f32(r, n, vdupq_n_f32(-2.12194440e-4f));
    float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
    p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
    p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
    const float32x4_t y = vaddq_f32(vfmaq_f32(r, p, vmulq_f32(r, r)), vdupq_n_f32(1.0f));
    const int32x4_t ni = vcvtq_s32_f32(n), a = vshrq_n_s32(ni, 1), b = vsubq_s32(ni, a);
    const float32x4_t two_a = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(a, vdupq_n_s32(127)), 23));
    const float32x4_t two_b = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(b, vdupq_n_s32(127)), 23));
    return vbslq_f32(overflow, vdupq_n_f32(__builtin_inff()), vmulq_f32(vmulq_f32(y, two_a), two_b));
}

void rms_norm(const float *x, const float *weight, float *out, int64_t n, float eps) {
    // Products of two floats are exact in double: only the order of the sum differs from scalar.
    float64x2_t s0 = vdupq_n_f64(0), s1 = vdupq_n_f64(0);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float32x4_t v = vld1q_f32(x + i);
        const float64x2_t lo = vcvt_f64_f32(vget_low_f32(v)), hi = vcvt_high_f64_f32(v);
        s0 = vfmaq_f64(s0, lo, lo);
        s1 = vfmaq_f64(s1, hi, hi);
    }
    double sum = vaddvq_f64(vaddq_f64(s0, s1));
    for (; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
    const float scale = 1.0f / __builtin_sqrtf(static_cast<float>(sum / n) + eps);
    for (i = 0; i + 4 <= n; i += 4) {
        vst1q_f32(out + i, vmulq_f32(vmulq_n_f32(vld1q_f32(x + i), scale), vld1q_f32(weight + i)));
    }
    for (; i < n; ++i) out[i] = x[i] * scale * weight[i];
}

// 4 pairs rotated by angles c/s: x0' = x0 c - x1 s, x1' = x0 s + x1 c.
void rotate4(float32x4_t &x0, float32x4_t &x1, float32x4_t c, float32x4_t s) {
    const float32x4_t r0 = vsubq_f32(vmulq_f32(x0, c), vmulq_f32(x1, s));
    const float32x4_t r1 = vaddq_f32(vmulq_f32(x0, s), vmulq_f32(x1, c));
    x0 = r0, x1 = r1;
}

// 4 adjacent pairs (v[2j], v[2j+1]): LD2/ST2 split and rejoin them.
void rotate_adjacent4(float *v, const float *c, const float *s) {
    float32x4x2_t x = vld2q_f32(v);
    rotate4(x.val[0], x.val[1], vld1q_f32(c), vld1q_f32(s));
    vst2q_f32(v, x);
}

// 4 pairs (a[j], b[j]): the NeoX layout, pair halves n_rot/2 apart.
void rotate_split4(float *a, float *b, const float *c, const float *s) {
    float32x4_t x0 = vld1q_f32(a), x1 = vld1q_f32(b);
    rotate4(x0, x1, vld1q_f32(c), vld1q_f32(s));
    vst1q_f32(a, x0);
    vst1q_f32(b, x1);
}

void rope_rotate(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cos_table,
                 const float *sin_table, RopeLayout layout) {
    rope_rotate_tiles<4, 4>(x, n_heads, head_dim, n_rot, cos_table, sin_table, layout, rotate_adjacent4, rotate_split4);
}

float32x4_t silu_times(float32x4_t g, float32x4_t u) {
    const float32x4_t e = exp_ps(vnegq_f32(g));
    return vmulq_f32(vdivq_f32(g, vaddq_f32(vdupq_n_f32(1.0f), e)), u);
}

void swiglu(const float *gate, const float *up, float *out, int64_t n) {
    swiglu_tiles<4>(gate, up, out, n, [](const float *g, const float *u, float *o) {
        vst1q_f32(o, silu_times(vld1q_f32(g), vld1q_f32(u)));
    });
}

void add(float *y, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(y + i, vaddq_f32(vld1q_f32(y + i), vld1q_f32(x + i)));
    for (; i < n; ++i) y[i] += x[i];
}

constexpr LayerOps kOps{rms_norm, rope_rotate, swiglu, add};

}  // namespace

const LayerOps *neon_layer_ops() { return &kOps; }

}  // namespace lamina::cpu::detail
