// AVX2 + FMA + F16C attention V accumulation. acc stays in registers for 32 values at a time
// while every V row of the tile is added into it (one load and store of acc per tile, not per
// row). Internal linkage throughout: see x86_avx2_helpers.h.
#include "cpu/attention.h"
#include "cpu/variant_tables.h"
#include "cpu/x86_avx2_helpers.h"

namespace lamina::cpu::detail {
namespace {

struct V_F32 {
    static __m256 load8(const char *row, int64_t i) { return _mm256_loadu_ps(reinterpret_cast<const float *>(row) + i); }
    static float load1(const char *row, int64_t i) {
        float x;
        std::memcpy(&x, row + 4 * i, 4);
        return x;
    }
};
struct V_F16 {
    static __m256 load8(const char *row, int64_t i) {
        return _mm256_cvtph_ps(loadu128(reinterpret_cast<const uint16_t *>(row) + i));
    }
    static float load1(const char *row, int64_t i) {
        uint16_t h;
        std::memcpy(&h, row + 2 * i, 2);
        return h2f(h);
    }
};

template <typename Load>
void accumulate_float(int64_t d, const float *p, int64_t n, const void *v, size_t v_stride, float *acc) {
    const char *base = static_cast<const char *>(v);
    int64_t i = 0;
    for (; i + 32 <= d; i += 32) {
        __m256 a0 = _mm256_loadu_ps(acc + i), a1 = _mm256_loadu_ps(acc + i + 8);
        __m256 a2 = _mm256_loadu_ps(acc + i + 16), a3 = _mm256_loadu_ps(acc + i + 24);
        for (int64_t j = 0; j < n; ++j) {
            const char *row = base + static_cast<size_t>(j) * v_stride;
            const __m256 pj = _mm256_set1_ps(p[j]);
            a0 = _mm256_fmadd_ps(pj, Load::load8(row, i), a0);
            a1 = _mm256_fmadd_ps(pj, Load::load8(row, i + 8), a1);
            a2 = _mm256_fmadd_ps(pj, Load::load8(row, i + 16), a2);
            a3 = _mm256_fmadd_ps(pj, Load::load8(row, i + 24), a3);
        }
        _mm256_storeu_ps(acc + i, a0);
        _mm256_storeu_ps(acc + i + 8, a1);
        _mm256_storeu_ps(acc + i + 16, a2);
        _mm256_storeu_ps(acc + i + 24, a3);
    }
    for (; i + 8 <= d; i += 8) {
        __m256 a = _mm256_loadu_ps(acc + i);
        for (int64_t j = 0; j < n; ++j) {
            a = _mm256_fmadd_ps(_mm256_set1_ps(p[j]), Load::load8(base + static_cast<size_t>(j) * v_stride, i), a);
        }
        _mm256_storeu_ps(acc + i, a);
    }
    for (; i < d; ++i) {
        for (int64_t j = 0; j < n; ++j) acc[i] += p[j] * Load::load1(base + static_cast<size_t>(j) * v_stride, i);
    }
}

__m256 q8_lanes(const int8_t *qs) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(qs))));
}

void accumulate_q8_0(int64_t d, const float *p, int64_t n, const void *v, size_t v_stride, float *acc) {
    const char *base = static_cast<const char *>(v);
    for (int64_t b = 0; b < d / quant::kQK32; ++b) {
        float *o = acc + b * quant::kQK32;
        __m256 a0 = _mm256_loadu_ps(o), a1 = _mm256_loadu_ps(o + 8);
        __m256 a2 = _mm256_loadu_ps(o + 16), a3 = _mm256_loadu_ps(o + 24);
        for (int64_t j = 0; j < n; ++j) {
            const auto *blk = reinterpret_cast<const quant::BlockQ8_0 *>(base + static_cast<size_t>(j) * v_stride) + b;
            const __m256 s = _mm256_set1_ps(p[j] * h2f(blk->d));
            a0 = _mm256_fmadd_ps(s, q8_lanes(blk->qs), a0);
            a1 = _mm256_fmadd_ps(s, q8_lanes(blk->qs + 8), a1);
            a2 = _mm256_fmadd_ps(s, q8_lanes(blk->qs + 16), a2);
            a3 = _mm256_fmadd_ps(s, q8_lanes(blk->qs + 24), a3);
        }
        _mm256_storeu_ps(o, a0);
        _mm256_storeu_ps(o + 8, a1);
        _mm256_storeu_ps(o + 16, a2);
        _mm256_storeu_ps(o + 24, a3);
    }
}

// exp(x) for x <= 0: x = n ln2 + r with |r| <= ln2/2, e^r by its Taylor series to r^6 (relative
// error below 2e-7 there), times 2^n built in the exponent bits. Below -87 the result is 0 in
// effect (a weight under 2^-125 of the largest one): x is clamped there so 2^n stays normal.
__m256 exp_nonpositive(__m256 x) {
    x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.0f / 720);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

float exp_shifted(float *s, int64_t n, float max) {
    const __m256 m = _mm256_set1_ps(max);
    __m256 sum = _mm256_setzero_ps();
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        const __m256 e = exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(s + j), m));
        _mm256_storeu_ps(s + j, e);
        sum = _mm256_add_ps(sum, e);
    }
    float total = hsum_ps(sum);
    if (j < n) {  // the tail through a padded copy, so the same function computes every value
        float tmp[8] = {max, max, max, max, max, max, max, max};
        for (int64_t i = 0; j + i < n; ++i) tmp[i] = s[j + i];
        _mm256_storeu_ps(tmp, exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(tmp), m)));
        for (int64_t i = 0; j + i < n; ++i) total += s[j + i] = tmp[i];
    }
    return total;
}

const AttentionKernel kF32{accumulate_float<V_F32>, exp_shifted};
const AttentionKernel kF16{accumulate_float<V_F16>, exp_shifted};
const AttentionKernel kQ8_0{accumulate_q8_0, exp_shifted};

}  // namespace

const AttentionKernel *avx2_attention_kernel(GgmlType type) {
    switch (type) {
        case GgmlType::F32: return &kF32;
        case GgmlType::F16: return &kF16;
        case GgmlType::Q8_0: return &kQ8_0;
        default: return nullptr;
    }
}

}  // namespace lamina::cpu::detail
