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

const AttentionKernel kF32{accumulate_float<V_F32>};
const AttentionKernel kF16{accumulate_float<V_F16>};
const AttentionKernel kQ8_0{accumulate_q8_0};

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
