// AVX-512 attention V accumulation: as the AVX2 one with 16 lanes, acc held in registers for
// 64 values at a time while the tile's V rows are added. Internal linkage: see
// x86_avx2_helpers.h.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "cpu/attention.h"
#include "cpu/variant_tables.h"
#include "cpu/x86_avx512_kernels.h"

namespace lamina::cpu::detail {
namespace {

struct V_F32 {
    static __m512 load16(const char *row, int64_t i) { return _mm512_loadu_ps(reinterpret_cast<const float *>(row) + i); }
    static float load1(const char *row, int64_t i) {
        float x;
        std::memcpy(&x, row + 4 * i, 4);
        return x;
    }
};
struct V_F16 {
    static __m512 load16(const char *row, int64_t i) {
        return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(row + 2 * i)));
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
    for (; i + 64 <= d; i += 64) {
        __m512 a0 = _mm512_loadu_ps(acc + i), a1 = _mm512_loadu_ps(acc + i + 16);
        __m512 a2 = _mm512_loadu_ps(acc + i + 32), a3 = _mm512_loadu_ps(acc + i + 48);
        for (int64_t j = 0; j < n; ++j) {
            const char *row = base + static_cast<size_t>(j) * v_stride;
            const __m512 pj = _mm512_set1_ps(p[j]);
            a0 = _mm512_fmadd_ps(pj, Load::load16(row, i), a0);
            a1 = _mm512_fmadd_ps(pj, Load::load16(row, i + 16), a1);
            a2 = _mm512_fmadd_ps(pj, Load::load16(row, i + 32), a2);
            a3 = _mm512_fmadd_ps(pj, Load::load16(row, i + 48), a3);
        }
        _mm512_storeu_ps(acc + i, a0);
        _mm512_storeu_ps(acc + i + 16, a1);
        _mm512_storeu_ps(acc + i + 32, a2);
        _mm512_storeu_ps(acc + i + 48, a3);
    }
    for (; i + 16 <= d; i += 16) {
        __m512 a = _mm512_loadu_ps(acc + i);
        for (int64_t j = 0; j < n; ++j) {
            a = _mm512_fmadd_ps(_mm512_set1_ps(p[j]), Load::load16(base + static_cast<size_t>(j) * v_stride, i), a);
        }
        _mm512_storeu_ps(acc + i, a);
    }
    for (; i < d; ++i) {
        for (int64_t j = 0; j < n; ++j) acc[i] += p[j] * Load::load1(base + static_cast<size_t>(j) * v_stride, i);
    }
}

__m512 q8_lanes16(const int8_t *qs) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(qs))));
}

void accumulate_q8_0(int64_t d, const float *p, int64_t n, const void *v, size_t v_stride, float *acc) {
    const char *base = static_cast<const char *>(v);
    for (int64_t b = 0; b < d / quant::kQK32; ++b) {
        float *o = acc + b * quant::kQK32;
        __m512 a0 = _mm512_loadu_ps(o), a1 = _mm512_loadu_ps(o + 16);
        for (int64_t j = 0; j < n; ++j) {
            const auto *blk = reinterpret_cast<const quant::BlockQ8_0 *>(base + static_cast<size_t>(j) * v_stride) + b;
            const __m512 s = _mm512_set1_ps(p[j] * h2f(blk->d));
            a0 = _mm512_fmadd_ps(s, q8_lanes16(blk->qs), a0);
            a1 = _mm512_fmadd_ps(s, q8_lanes16(blk->qs + 16), a1);
        }
        _mm512_storeu_ps(o, a0);
        _mm512_storeu_ps(o + 16, a1);
    }
}

// exp(x) for x <= 0 as in attention_avx2.cpp, with 2^n applied by VSCALEFPS.
__m512 exp_nonpositive(__m512 x) {
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.0f));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

float exp_shifted(float *s, int64_t n, float max) {
    const __m512 m = _mm512_set1_ps(max);
    __m512 sum = _mm512_setzero_ps();
    for (int64_t j = 0; j < n; j += 16) {
        const __mmask16 lanes = n - j >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << (n - j)) - 1);
        const __m512 e = exp_nonpositive(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, s + j), m));
        _mm512_mask_storeu_ps(s + j, lanes, e);
        sum = _mm512_mask_add_ps(sum, lanes, sum, e);
    }
    return _mm512_reduce_add_ps(sum);
}

const AttentionKernel kF32{accumulate_float<V_F32>, exp_shifted};
const AttentionKernel kF16{accumulate_float<V_F16>, exp_shifted};
const AttentionKernel kQ8_0{accumulate_q8_0, exp_shifted};

}  // namespace

const AttentionKernel *avx512_attention_kernel(GgmlType type) {
    switch (type) {
        case GgmlType::F32: return &kF32;
        case GgmlType::F16: return &kF16;
        case GgmlType::Q8_0: return &kQ8_0;
        default: return nullptr;
    }
}

}  // namespace lamina::cpu::detail
