// AVX2 + FMA layer operations (cpu/layer_ops.h), 8 lanes; the loops are cpu/layer_op_tiles.h.
// GCC would fuse the products and sums written here into FMAs (-mfma allows it): contraction is
// off in this file so results keep the reference's roundings; the exponential's FMAs are explicit.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <immintrin.h>

#include "cpu/layer_op_tiles.h"
#include "cpu/layer_ops.h"
#include "cpu/variant_tables.h"
#include "cpu/x86_exp.h"

namespace lamina::cpu::detail {
namespace {

void rms_norm(const float *x, const float *weight, float *out, int64_t n, float eps) {
    // Products of two floats are exact in double: only the order of the sum differs from scalar.
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
        s0 = _mm256_fmadd_pd(lo, lo, s0);
        s1 = _mm256_fmadd_pd(hi, hi, s1);
    }
    alignas(32) double parts[4];
    _mm256_store_pd(parts, _mm256_add_pd(s0, s1));
    double sum = (parts[0] + parts[1]) + (parts[2] + parts[3]);
    for (; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
    const float scale = 1.0f / __builtin_sqrtf(static_cast<float>(sum / n) + eps);
    const __m256 sc = _mm256_set1_ps(scale);
    for (i = 0; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), sc), _mm256_loadu_ps(weight + i)));
    }
    for (; i < n; ++i) out[i] = x[i] * scale * weight[i];
}

// 8 pairs (a[j], b[j]) rotated by angle j: the NeoX layout, pair halves n_rot/2 apart.
void rotate_split8(float *a, float *b, const float *c, const float *s) {
    const __m256 x0 = _mm256_loadu_ps(a), x1 = _mm256_loadu_ps(b);
    const __m256 cv = _mm256_loadu_ps(c), sv = _mm256_loadu_ps(s);
    _mm256_storeu_ps(a, _mm256_sub_ps(_mm256_mul_ps(x0, cv), _mm256_mul_ps(x1, sv)));
    _mm256_storeu_ps(b, _mm256_add_ps(_mm256_mul_ps(x0, sv), _mm256_mul_ps(x1, cv)));
}

// 4 adjacent pairs (v[2j], v[2j+1]) rotated by angle j. The odd lanes compute x1*c + x0*s,
// the same sum as the reference's x0*s + x1*c.
void rotate_adjacent4(float *v, const float *c, const float *s) {
    const __m128 c4 = _mm_loadu_ps(c), s4 = _mm_loadu_ps(s);
    const __m256 cc = _mm256_set_m128(_mm_unpackhi_ps(c4, c4), _mm_unpacklo_ps(c4, c4));
    const __m256 ss = _mm256_set_m128(_mm_unpackhi_ps(s4, s4), _mm_unpacklo_ps(s4, s4));
    const __m256 x = _mm256_loadu_ps(v), swapped = _mm256_permute_ps(x, 0xB1);
    _mm256_storeu_ps(v, _mm256_addsub_ps(_mm256_mul_ps(x, cc), _mm256_mul_ps(swapped, ss)));
}

void rope_rotate(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cos_table,
                 const float *sin_table, RopeLayout layout) {
    rope_rotate_tiles<4, 8>(x, n_heads, head_dim, n_rot, cos_table, sin_table, layout, rotate_adjacent4, rotate_split8);
}

__m256 silu_times(__m256 g, __m256 u) {
    const __m256 e = exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), g));
    return _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), e)), u);
}

void swiglu(const float *gate, const float *up, float *out, int64_t n) {
    swiglu_tiles<8>(gate, up, out, n, [](const float *g, const float *u, float *o) {
        _mm256_storeu_ps(o, silu_times(_mm256_loadu_ps(g), _mm256_loadu_ps(u)));
    });
}

void add(float *y, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
    for (; i < n; ++i) y[i] += x[i];
}

constexpr LayerOps kOps{rms_norm, rope_rotate, swiglu, add};

}  // namespace

const LayerOps *avx2_layer_ops() { return &kOps; }

}  // namespace lamina::cpu::detail
