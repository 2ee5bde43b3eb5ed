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

const AttentionKernel kF32{accumulate_float<V_F32>};
const AttentionKernel kF16{accumulate_float<V_F16>};
const AttentionKernel kQ8_0{accumulate_q8_0};

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
