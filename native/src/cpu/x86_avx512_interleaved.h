// AVX-512 kernels over the interleaved layouts (quant/interleaved.h), instantiated by
// interleaved_avx512.cpp (VPMADDUBSW + VPMADDWD) and interleaved_vnni_avx512.cpp (VPDPBUSD)
// with a policy giving
//   __m512i dot4(__m512i acc, __m512i u, __m512i s)   acc + sums of 4 adjacent u8*s8 products.
// Register picture: one zmm holds 4 consecutive weights of each of 16 rows (row r in lane r);
// 4 activation bytes broadcast to every lane multiply all 16 rows at once. A tile is 16 rows x
// up to kTile activation rows: the unpacked weights of a block stay in registers while each
// activation row of the tile passes over them (the loop around tiles: cpu/interleaved_gemm.h).
#pragma once

#if !defined(__AVX512F__) || !defined(__AVX512BW__)
#error "x86_avx512_interleaved.h belongs in files compiled with the AVX-512 flags"
#endif

#include <immintrin.h>

#include <cstring>

#include "cpu/interleaved_gemm.h"
#include "cpu/interleaved_kernels.h"
#include "cpu/x86_avx2_helpers.h"
#include "quant/interleaved.h"

namespace lamina::cpu::detail {
namespace {

using quant::ActBlockQ8x32;
using quant::BlockQ4_0x16;
using quant::BlockQ4_Kx16;

constexpr int kTile = 8;  // activation rows per tile: 8 accumulators + 8 weight registers + scales fit in 32 zmm

inline __m512i bcast4(const int8_t *q) {
    int32_t v;
    std::memcpy(&v, q, 4);
    return _mm512_set1_epi32(v);
}

// Same arithmetic as quant::quantize_act_q8x32_ref (VCVTPS2DQ rounds to nearest even like lrint),
// so the SIMD and scalar conversions agree bit for bit.
inline size_t act_bytes(int64_t k) { return static_cast<size_t>(k / quant::kQK32) * sizeof(ActBlockQ8x32); }

inline void convert_act(const float *x, void *dst, int64_t k) {
    auto *y = static_cast<ActBlockQ8x32 *>(dst);
    const __m512 sign_off = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
    for (int64_t b = 0; b < k / quant::kQK32; ++b, x += quant::kQK32) {
        const __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
        const __m512 a = _mm512_max_ps(_mm512_and_ps(v0, sign_off), _mm512_and_ps(v1, sign_off));
        const float amax = _mm512_reduce_max_ps(a);
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const __m512 vid = _mm512_set1_ps(id);
        // The clamp changes nothing for finite input (|q| <= 127) and keeps NaN/inf activations
        // (whose conversion gives INT_MIN) from overflowing the sums below.
        const __m512i lim = _mm512_set1_epi32(127), neg_lim = _mm512_set1_epi32(-127);
        const __m512i q0 = _mm512_max_epi32(neg_lim, _mm512_min_epi32(lim, _mm512_cvtps_epi32(_mm512_mul_ps(v0, vid))));
        const __m512i q1 = _mm512_max_epi32(neg_lim, _mm512_min_epi32(lim, _mm512_cvtps_epi32(_mm512_mul_ps(v1, vid))));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(y[b].q), _mm512_cvtepi32_epi8(q0));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(y[b].q + 16), _mm512_cvtepi32_epi8(q1));
        quant::finish_act_block(y[b], _cvtsh_ss(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT)), _mm512_reduce_add_epi32(q0),
                                _mm512_reduce_add_epi32(q1));
    }
}

inline void convert_act_k(const float *x, void *dst, int64_t k) {
    auto *y = static_cast<ActBlockQ8x32 *>(dst);
    for (int64_t b = 0; b < k / quant::kQK_K; ++b) {
        quant::BlockQ8_K q;
        quantize_q8_K_avx2(x + b * quant::kQK_K, &q, quant::kQK_K);
        quant::act_q8x32_from_q8_K(q, y + b * (quant::kQK_K / quant::kQK32));
    }
}

// ---- Q4_0x16 and Q8_0x16 ---------------------------------------------------------------------
// One block is 8 registers of unsigned quants (k-group i pairs with activation bytes 4i..4i+3)
// whose bias (Q4_0's 8, Q8_0's stored offset of 128) folds into each sum's starting value:
// sum((q - bias) a) = sum(q a) - bias sum(a).

struct Q4_0Unpack {
    using Block = BlockQ4_0x16;
    static constexpr int kBias = 8;
    static void unpack(const Block &blk, __m512i *q) {
        const __m512i low4 = _mm512_set1_epi8(0x0F);
        for (int i = 0; i < 4; ++i) {
            const __m512i p = _mm512_loadu_si512(blk.qs + 64 * i);
            q[i] = _mm512_and_si512(p, low4);                            // elements 4i..4i+3
            q[4 + i] = _mm512_and_si512(_mm512_srli_epi16(p, 4), low4);  // elements 16+4i..
        }
    }
};

// Only with VNNI: VPMADDUBSW would saturate on (q + 128) * a pair sums.
struct Q8_0Unpack {
    using Block = quant::BlockQ8_0x16;
    static constexpr int kBias = 128;
    static void unpack(const Block &blk, __m512i *q) {
        for (int i = 0; i < 8; ++i) q[i] = _mm512_loadu_si512(blk.qs + 64 * i);
    }
};

template <class P, class F, int NT>
void q32_tile(int64_t nb, const typename F::Block *w, const void *act, size_t act_stride, float *out,
              size_t out_stride) {
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(w[b].d)));
        __m512i q[8];
        F::unpack(w[b], q);
        for (int t = 0; t < NT; ++t) {
            const ActBlockQ8x32 &x = act_row(act, act_stride, t)[b];
            __m512i s = _mm512_set1_epi32(-F::kBias * x.sum);
            for (int i = 0; i < 8; ++i) s = P::dot4(s, q[i], bcast4(x.q + 4 * i));
            acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_mul_ps(dw, _mm512_set1_ps(x.d)), acc[t]);
        }
    }
    for (int t = 0; t < NT; ++t) _mm512_storeu_ps(out + t * out_stride, acc[t]);
}

// ---- Q4_Kx16 and Q5_Kx16 ----------------------------------------------------------------------
// Sub-block s's 8 registers: 4 low bits from qs (low nibble for even s, high for odd), plus
// Q5_K's 5th bit from qh (bit s).

inline void unpack_low4(const uint8_t *qs, int s, __m512i *q) {
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    for (int i = 0; i < 8; ++i) {
        const __m512i p = _mm512_loadu_si512(qs + 512 * (s / 2) + 64 * i);
        q[i] = _mm512_and_si512(s % 2 ? _mm512_srli_epi16(p, 4) : p, low4);
    }
}

struct Q4_KUnpack {
    using Block = BlockQ4_Kx16;
    static void unpack(const Block &blk, int s, __m512i *q) { unpack_low4(blk.qs, s, q); }
};

struct Q5_KUnpack {
    using Block = quant::BlockQ5_Kx16;
    static void unpack(const Block &blk, int s, __m512i *q) {
        unpack_low4(blk.qs, s, q);
        // qh is read beside qs, out of the prefetchers' order: fetch the next block's 45 cache
        // lines ahead, 6 per sub-block.
        const char *next = reinterpret_cast<const char *>(&blk + 1);
        for (int l = 0; l < 6; ++l) _mm_prefetch(next + 64 * (6 * s + l), _MM_HINT_T0);
        const __m512i one = _mm512_set1_epi8(1);
        for (int i = 0; i < 8; ++i) {
            const __m512i h = _mm512_and_si512(_mm512_srli_epi16(_mm512_loadu_si512(blk.qh + 64 * i), s), one);
            q[i] = _mm512_or_si512(q[i], _mm512_slli_epi16(h, 4));
        }
    }
};

template <class P, class F, int NT>
void k_scale_min_tile(int64_t nb, const typename F::Block *w, const void *act, size_t act_stride, float *out,
                      size_t out_stride) {
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const typename F::Block &blk = w[b];
        const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(blk.d)));
        const __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(blk.dmin)));
        for (int s = 0; s < 8; ++s) {
            __m512i q[8];
            F::unpack(blk, s, q);
            const __m512 scale = _mm512_mul_ps(
                d, _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(blk.sc[s])))));
            const __m512 min = _mm512_mul_ps(
                dmin, _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(blk.mn[s])))));
            for (int t = 0; t < NT; ++t) {
                const ActBlockQ8x32 &x = act_row(act, act_stride, t)[8 * b + s];
                __m512i sum = _mm512_setzero_si512();
                for (int i = 0; i < 8; ++i) sum = P::dot4(sum, q[i], bcast4(x.q + 4 * i));
                acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), _mm512_mul_ps(scale, _mm512_set1_ps(x.d)), acc[t]);
                acc[t] = _mm512_fnmadd_ps(min, _mm512_set1_ps(x.d_sum), acc[t]);
            }
        }
    }
    for (int t = 0; t < NT; ++t) _mm512_storeu_ps(out + t * out_stride, acc[t]);
}

// ---- Q6_Kx16 ----------------------------------------------------------------------------------

template <class P, int NT>
void q6_k_tile(int64_t nb, const quant::BlockQ6_Kx16 *w, const void *act, size_t act_stride, float *out,
               size_t out_stride) {
    __m512 acc[NT];
    for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
    const __m512i low4 = _mm512_set1_epi8(0x0F), low2 = _mm512_set1_epi8(0x03);
    for (int64_t b = 0; b < nb; ++b) {
        const quant::BlockQ6_Kx16 &blk = w[b];
        const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(blk.d)));
        for (int c = 0; c < 8; ++c) {
            const int h = c / 4, s = c % 4;
            // The chunks read ql and qh out of order, which the hardware prefetchers do not
            // follow: fetch the next block's 53 cache lines ahead, 7 per chunk.
            const char *next = reinterpret_cast<const char *>(&blk + 1);
            for (int l = 0; l < 7; ++l) _mm_prefetch(next + 64 * (7 * c + l), _MM_HINT_T0);
            // 6-bit quants of chunk c: 4 low bits from ql (low or high nibble), 2 high bits from qh.
            __m512i q[8];
            for (int i = 0; i < 8; ++i) {
                const __m512i ql = _mm512_loadu_si512(blk.ql + 64 * (16 * h + 8 * (s & 1) + i));
                const __m512i qh = _mm512_loadu_si512(blk.qh + 64 * (8 * h + i));
                const __m512i lo = _mm512_and_si512(s >= 2 ? _mm512_srli_epi16(ql, 4) : ql, low4);
                const __m512i hi = _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(qh, 2 * s), low2), 4);
                q[i] = _mm512_or_si512(lo, hi);
            }
            const __m512 scale0 = _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(
                                                        _mm_loadu_si128(reinterpret_cast<const __m128i *>(blk.scales[2 * c])))));
            const __m512 scale1 = _mm512_mul_ps(d, _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(
                                                        _mm_loadu_si128(reinterpret_cast<const __m128i *>(blk.scales[2 * c + 1])))));
            for (int t = 0; t < NT; ++t) {
                const ActBlockQ8x32 &x = act_row(act, act_stride, t)[8 * b + c];
                // Each 16-element half has its own scale; Q6_K's offset of 32 starts each sum.
                __m512i s0 = _mm512_set1_epi32(-32 * x.half_sum[0]);
                __m512i s1 = _mm512_set1_epi32(-32 * x.half_sum[1]);
                for (int i = 0; i < 4; ++i) s0 = P::dot4(s0, q[i], bcast4(x.q + 4 * i));
                for (int i = 4; i < 8; ++i) s1 = P::dot4(s1, q[i], bcast4(x.q + 4 * i));
                const __m512 xd = _mm512_set1_ps(x.d);
                acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s0), _mm512_mul_ps(scale0, xd), acc[t]);
                acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s1), _mm512_mul_ps(scale1, xd), acc[t]);
            }
        }
    }
    for (int t = 0; t < NT; ++t) _mm512_storeu_ps(out + t * out_stride, acc[t]);
}

// ---- tables ----------------------------------------------------------------------------------

template <class P>
struct InterleavedTable {
    template <class F>
    struct Q32 {
        template <int NT>
        struct Tiles {
            static void run(int64_t nb, const typename F::Block *w, const void *a, size_t as, float *o, size_t os) {
                q32_tile<P, F, NT>(nb, w, a, as, o, os);
            }
        };
    };
    template <int NT>
    struct Q6_KTiles {
        static void run(int64_t nb, const quant::BlockQ6_Kx16 *w, const void *a, size_t as, float *o, size_t os) {
            q6_k_tile<P, NT>(nb, w, a, as, o, os);
        }
    };
    template <class F>
    struct KScaleMin {
        template <int NT>
        struct Tiles {
            static void run(int64_t nb, const typename F::Block *w, const void *a, size_t as, float *o, size_t os) {
                k_scale_min_tile<P, F, NT>(nb, w, a, as, o, os);
            }
        };
    };

    static const InterleavedKernel *get(GgmlType type) {
        static const InterleavedKernel q4_0{act_bytes, convert_act,
                                            interleaved_gemm<BlockQ4_0x16, quant::kQK32, kTile, Q32<Q4_0Unpack>::template Tiles>};
        static const InterleavedKernel q8_0{
            act_bytes, convert_act, interleaved_gemm<quant::BlockQ8_0x16, quant::kQK32, kTile, Q32<Q8_0Unpack>::template Tiles>};
        static const InterleavedKernel q4_k{
            act_bytes, convert_act_k, interleaved_gemm<BlockQ4_Kx16, quant::kQK_K, kTile, KScaleMin<Q4_KUnpack>::template Tiles>};
        static const InterleavedKernel q5_k{
            act_bytes, convert_act_k,
            interleaved_gemm<quant::BlockQ5_Kx16, quant::kQK_K, kTile, KScaleMin<Q5_KUnpack>::template Tiles>};
        static const InterleavedKernel q6_k{act_bytes, convert_act_k,
                                            interleaved_gemm<quant::BlockQ6_Kx16, quant::kQK_K, kTile, Q6_KTiles>};
        switch (type) {
            case GgmlType::Q4_0: return &q4_0;
            case GgmlType::Q8_0: return P::kExact8Bit ? &q8_0 : nullptr;
            case GgmlType::Q4_K: return &q4_k;
            case GgmlType::Q5_K: return &q5_k;
            case GgmlType::Q6_K: return &q6_k;
            default: return nullptr;
        }
    }
};

}  // namespace
}  // namespace lamina::cpu::detail
