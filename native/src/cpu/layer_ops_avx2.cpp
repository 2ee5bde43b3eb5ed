// AVX2 + FMA layer operations (cpu/layer_ops.h). Tails go through padded copies so the same
// instructions compute every value. GCC would fuse the products and sums written here into
// FMAs (-mfma allows it): contraction is off in this file so results keep the reference's
// roundings; the exponential's FMAs are explicit.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <immintrin.h>

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
    const int32_t half = n_rot / 2;
    for (int32_t h = 0; h < n_heads; ++h) {
        float *v = x + static_cast<int64_t>(h) * head_dim;
        int32_t i = 0;
        if (layout == RopeLayout::Adjacent) {
            for (; i + 4 <= half; i += 4) rotate_adjacent4(v + 2 * i, cos_table + i, sin_table + i);
            if (i == half) continue;
            float pv[8] = {}, pc[4] = {}, ps[4] = {};
            for (int32_t j = 0; i + j < half; ++j) {
                pv[2 * j] = v[2 * (i + j)], pv[2 * j + 1] = v[2 * (i + j) + 1];
                pc[j] = cos_table[i + j], ps[j] = sin_table[i + j];
            }
            rotate_adjacent4(pv, pc, ps);
            for (int32_t j = 0; i + j < half; ++j) v[2 * (i + j)] = pv[2 * j], v[2 * (i + j) + 1] = pv[2 * j + 1];
        } else {
            for (; i + 8 <= half; i += 8) rotate_split8(v + i, v + half + i, cos_table + i, sin_table + i);
            if (i == half) continue;
            float pa[8] = {}, pb[8] = {}, pc[8] = {}, ps[8] = {};
            for (int32_t j = 0; i + j < half; ++j) {
                pa[j] = v[i + j], pb[j] = v[half + i + j], pc[j] = cos_table[i + j], ps[j] = sin_table[i + j];
            }
            rotate_split8(pa, pb, pc, ps);
            for (int32_t j = 0; i + j < half; ++j) v[i + j] = pa[j], v[half + i + j] = pb[j];
        }
    }
}

__m256 silu_times(__m256 g, __m256 u) {
    const __m256 e = exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), g));
    return _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), e)), u);
}

void swiglu(const float *gate, const float *up, float *out, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, silu_times(_mm256_loadu_ps(gate + i), _mm256_loadu_ps(up + i)));
    if (i == n) return;
    float pg[8] = {}, pu[8] = {};
    for (int64_t j = 0; i + j < n; ++j) pg[j] = gate[i + j], pu[j] = up[i + j];
    _mm256_storeu_ps(pg, silu_times(_mm256_loadu_ps(pg), _mm256_loadu_ps(pu)));
    for (int64_t j = 0; i + j < n; ++j) out[i + j] = pg[j];
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
