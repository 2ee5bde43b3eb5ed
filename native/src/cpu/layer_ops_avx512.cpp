// AVX-512 (F) layer operations (cpu/layer_ops.h): the AVX2 ones 16 lanes wide; the loops are
// cpu/layer_op_tiles.h. Contraction is off in this file so products and sums keep the
// reference's roundings (the exponential's FMAs are explicit).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 on its own AVX-512 headers
#pragma GCC diagnostic ignored "-Wuninitialized"
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
    __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512d lo = _mm512_cvtps_pd(_mm256_loadu_ps(x + i)), hi = _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8));
        s0 = _mm512_fmadd_pd(lo, lo, s0);
        s1 = _mm512_fmadd_pd(hi, hi, s1);
    }
    double sum = _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
    for (; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
    const float scale = 1.0f / __builtin_sqrtf(static_cast<float>(sum / n) + eps);
    const __m512 sc = _mm512_set1_ps(scale);
    for (i = 0; i + 16 <= n; i += 16) {
        _mm512_storeu_ps(out + i, _mm512_mul_ps(_mm512_mul_ps(_mm512_loadu_ps(x + i), sc), _mm512_loadu_ps(weight + i)));
    }
    for (; i < n; ++i) out[i] = x[i] * scale * weight[i];
}

// 16 pairs (a[j], b[j]) rotated by angle j: the NeoX layout, pair halves n_rot/2 apart.
void rotate_split16(float *a, float *b, const float *c, const float *s) {
    const __m512 x0 = _mm512_loadu_ps(a), x1 = _mm512_loadu_ps(b);
    const __m512 cv = _mm512_loadu_ps(c), sv = _mm512_loadu_ps(s);
    _mm512_storeu_ps(a, _mm512_sub_ps(_mm512_mul_ps(x0, cv), _mm512_mul_ps(x1, sv)));
    _mm512_storeu_ps(b, _mm512_add_ps(_mm512_mul_ps(x0, sv), _mm512_mul_ps(x1, cv)));
}

// 8 adjacent pairs (v[2j], v[2j+1]) rotated by angle j; odd lanes compute x1*c + x0*s, the
// same sum as the reference's x0*s + x1*c.
void rotate_adjacent8(float *v, const float *c, const float *s) {
    const __m512i twice = _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
    const __m512 cc = _mm512_permutexvar_ps(twice, _mm512_castps256_ps512(_mm256_loadu_ps(c)));
    const __m512 ss = _mm512_permutexvar_ps(twice, _mm512_castps256_ps512(_mm256_loadu_ps(s)));
    const __m512 x = _mm512_loadu_ps(v), swapped = _mm512_permute_ps(x, 0xB1);
    const __m512 a = _mm512_mul_ps(x, cc), b = _mm512_mul_ps(swapped, ss);
    _mm512_storeu_ps(v, _mm512_mask_add_ps(_mm512_sub_ps(a, b), 0xAAAA, a, b));
}

void rope_rotate(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cos_table,
                 const float *sin_table, RopeLayout layout) {
    rope_rotate_tiles<8, 16>(x, n_heads, head_dim, n_rot, cos_table, sin_table, layout, rotate_adjacent8, rotate_split16);
}

__m512 silu_times(__m512 g, __m512 u) {
    const __m512 e = exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), g));
    return _mm512_mul_ps(_mm512_div_ps(g, _mm512_add_ps(_mm512_set1_ps(1.0f), e)), u);
}

void swiglu(const float *gate, const float *up, float *out, int64_t n) {
    swiglu_tiles<16>(gate, up, out, n, [](const float *g, const float *u, float *o) {
        _mm512_storeu_ps(o, silu_times(_mm512_loadu_ps(g), _mm512_loadu_ps(u)));
    });
}

void add(float *y, const float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(y + i), _mm512_loadu_ps(x + i)));
    for (; i < n; ++i) y[i] += x[i];
}

constexpr LayerOps kOps{rms_norm, rope_rotate, swiglu, add};

}  // namespace

const LayerOps *avx512_layer_ops() { return &kOps; }

}  // namespace lamina::cpu::detail
