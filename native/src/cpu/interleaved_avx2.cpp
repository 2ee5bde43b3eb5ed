// Interleaved-layout kernels for AVX2 CPUs (no AVX-512): Q4_0, Q4_K, Q5_K, Q6_K. A ymm register
// holds 4 consecutive weights of 8 rows, so a 16-row group is computed as two halves of 8 rows; VPMADDUBSW takes
// the u8 x s8 products in pairs. Q8_0 keeps the file layout here: its offset quants would
// saturate VPMADDUBSW's int16 pair sums.
#include <immintrin.h>

#include <cstring>

#include "cpu/interleaved_gemm.h"
#include "cpu/interleaved_tables.h"
#include "cpu/x86_avx2_helpers.h"
#include "quant/interleaved.h"

namespace lamina::cpu::detail {
namespace {

using quant::ActBlockQ8x32;
using quant::BlockQ4_0x16;
using quant::BlockQ4_Kx16;

constexpr int kTile = 4;  // activation rows per tile: 8 weight registers + 4 accumulators + scales fit in 16 ymm
constexpr int kHalf = 8;  // rows per ymm

inline __m256i bcast4(const int8_t *q) {
    int32_t v;
    std::memcpy(&v, q, 4);
    return _mm256_set1_epi32(v);
}

inline __m256 load8_f16(const uint16_t *h) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(h)));
}

inline __m256 load8_i8(const int8_t *p) {
    int64_t v;
    std::memcpy(&v, p, 8);
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_cvtsi64_si128(v)));
}

inline __m256 load8_u8(const uint8_t *p) {
    int64_t v;
    std::memcpy(&v, p, 8);
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(v)));
}

size_t act_bytes(int64_t k) { return static_cast<size_t>(k / quant::kQK32) * sizeof(ActBlockQ8x32); }

// Same arithmetic as quant::quantize_act_q8x32_ref, so the results agree bit for bit.
void convert_act(const float *x, void *dst, int64_t k) {
    auto *y = static_cast<ActBlockQ8x32 *>(dst);
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (int64_t b = 0; b < k / quant::kQK32; ++b, x += quant::kQK32) {
        __m256 v[4], m = _mm256_setzero_ps();
        for (int i = 0; i < 4; ++i) {
            v[i] = _mm256_loadu_ps(x + 8 * i);
            m = _mm256_max_ps(m, _mm256_and_ps(v[i], abs_mask));
        }
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        const float d = _mm_cvtss_f32(m4) / 127.0f;
        const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
        __m256i q[4];
        // The clamp changes nothing for finite input (|q| <= 127) and keeps NaN/inf activations
        // (whose conversion gives INT_MIN) from overflowing the sums below.
        const __m256i lim = _mm256_set1_epi32(127), neg_lim = _mm256_set1_epi32(-127);
        for (int i = 0; i < 4; ++i) {
            q[i] = _mm256_max_epi32(neg_lim, _mm256_min_epi32(lim, _mm256_cvtps_epi32(_mm256_mul_ps(v[i], id))));
        }
        const __m256i first = _mm256_add_epi32(q[0], q[1]), second = _mm256_add_epi32(q[2], q[3]);
        // Narrow to bytes; the packs interleave 128-bit lanes, the permute restores element order.
        const __m256i p16 = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
        const __m256i bytes = _mm256_permutevar8x32_epi32(p16, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(y[b].q), bytes);
        quant::finish_act_block(y[b], _cvtsh_ss(_cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT)), hsum_epi32(first),
                                hsum_epi32(second));
    }
}

void convert_act_k(const float *x, void *dst, int64_t k) {
    auto *y = static_cast<ActBlockQ8x32 *>(dst);
    for (int64_t b = 0; b < k / quant::kQK_K; ++b) {
        quant::BlockQ8_K q;
        quantize_q8_K_avx2(x + b * quant::kQK_K, &q, quant::kQK_K);
        quant::act_q8x32_from_q8_K(q, y + b * (quant::kQK_K / quant::kQK32));
    }
}

// Sum of VPMADDUBSW pairs over n k-groups in int16 (n <= 8 keeps nibbles x int8 below 2^15:
// 8 * 2 * 15 * 127 = 30480), widened to int32 once.
template <int N>
inline __m256i dot_groups(const __m256i *w, const int8_t *a) {
    __m256i s16 = _mm256_maddubs_epi16(w[0], bcast4(a));
    for (int i = 1; i < N; ++i) s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(w[i], bcast4(a + 4 * i)));
    return _mm256_madd_epi16(s16, _mm256_set1_epi16(1));
}

template <int NT>
void q4_0_tile(int64_t nb, const BlockQ4_0x16 *w, const void *act, size_t act_stride, float *out, size_t out_stride) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int h = 0; h < 2; ++h) {
        __m256 acc[NT];
        for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; ++b) {
            const __m256 dw = load8_f16(w[b].d + kHalf * h);
            __m256i lo[4], hi[4];
            for (int i = 0; i < 4; ++i) {
                const __m256i p = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(w[b].qs + 64 * i + 32 * h));
                lo[i] = _mm256_and_si256(p, low4);
                hi[i] = _mm256_and_si256(_mm256_srli_epi16(p, 4), low4);
            }
            for (int t = 0; t < NT; ++t) {
                const ActBlockQ8x32 &x = act_row(act, act_stride, t)[b];
                const __m256i s = _mm256_add_epi32(_mm256_add_epi32(dot_groups<4>(lo, x.q), dot_groups<4>(hi, x.q + 16)),
                                                   _mm256_set1_epi32(-8 * x.sum));
                acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_mul_ps(dw, _mm256_set1_ps(x.d)), acc[t]);
            }
        }
        for (int t = 0; t < NT; ++t) _mm256_storeu_ps(out + t * out_stride + kHalf * h, acc[t]);
    }
}

// Q6_K's quants go up to 63: two VPMADDUBSW pair sums (2 * 2 * 63 * 127 = 32004) are as many
// as int16 holds, so this widens every two k-groups.
inline __m256i dot4_groups_q6(const __m256i *w, const int8_t *a) {
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i s01 = _mm256_add_epi16(_mm256_maddubs_epi16(w[0], bcast4(a)), _mm256_maddubs_epi16(w[1], bcast4(a + 4)));
    const __m256i s23 = _mm256_add_epi16(_mm256_maddubs_epi16(w[2], bcast4(a + 8)), _mm256_maddubs_epi16(w[3], bcast4(a + 12)));
    return _mm256_add_epi32(_mm256_madd_epi16(s01, ones), _mm256_madd_epi16(s23, ones));
}

// Q4_K and Q5_K, sub-block s of one half: 4 low bits from qs (low nibble for even s, high for
// odd), plus Q5_K's 5th bit from qh (bit s).
inline void unpack_low4(const uint8_t *qs, int s, int h, __m256i *q) {
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    for (int i = 0; i < 8; ++i) {
        const __m256i p = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(qs + 512 * (s / 2) + 64 * i + 32 * h));
        q[i] = _mm256_and_si256(s % 2 ? _mm256_srli_epi16(p, 4) : p, low4);
    }
}

struct Q4_KUnpack {
    using Block = BlockQ4_Kx16;
    static void unpack(const Block &blk, int s, int h, __m256i *q) { unpack_low4(blk.qs, s, h, q); }
    // Nibbles: 8 pair sums stay below 2^15.
    static __m256i dot(const __m256i *q, const int8_t *a) { return dot_groups<8>(q, a); }
};

struct Q5_KUnpack {
    using Block = quant::BlockQ5_Kx16;
    static void unpack(const Block &blk, int s, int h, __m256i *q) {
        unpack_low4(blk.qs, s, h, q);
        // qh is read beside qs: prefetch the next block (45 lines, 6 a sub-block).
        const char *next = reinterpret_cast<const char *>(&blk + 1);
        for (int l = 0; l < 6; ++l) _mm_prefetch(next + 64 * (6 * s + l), _MM_HINT_T0);
        const __m256i one = _mm256_set1_epi8(1);
        for (int i = 0; i < 8; ++i) {
            const __m256i hb = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(blk.qh + 64 * i + 32 * h));
            q[i] = _mm256_or_si256(q[i], _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, s), one), 4));
        }
    }
    // 5-bit quants: widen every two k-groups, as for Q6_K.
    static __m256i dot(const __m256i *q, const int8_t *a) {
        return _mm256_add_epi32(dot4_groups_q6(q, a), dot4_groups_q6(q + 4, a + 16));
    }
};

template <class F, int NT>
void k_scale_min_tile(int64_t nb, const typename F::Block *w, const void *act, size_t act_stride, float *out,
                      size_t out_stride) {
    for (int h = 0; h < 2; ++h) {
        __m256 acc[NT];
        for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; ++b) {
            const typename F::Block &blk = w[b];
            const __m256 d = load8_f16(blk.d + kHalf * h), dmin = load8_f16(blk.dmin + kHalf * h);
            for (int s = 0; s < 8; ++s) {
                __m256i q[8];
                F::unpack(blk, s, h, q);
                const __m256 scale = _mm256_mul_ps(d, load8_u8(blk.sc[s] + kHalf * h));
                const __m256 min = _mm256_mul_ps(dmin, load8_u8(blk.mn[s] + kHalf * h));
                for (int t = 0; t < NT; ++t) {
                    const ActBlockQ8x32 &x = act_row(act, act_stride, t)[8 * b + s];
                    const __m256i sum = F::dot(q, x.q);
                    acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), _mm256_mul_ps(scale, _mm256_set1_ps(x.d)), acc[t]);
                    acc[t] = _mm256_fnmadd_ps(min, _mm256_set1_ps(x.d_sum), acc[t]);
                }
            }
        }
        for (int t = 0; t < NT; ++t) _mm256_storeu_ps(out + t * out_stride + kHalf * h, acc[t]);
    }
}

template <int NT>
void q6_k_tile(int64_t nb, const quant::BlockQ6_Kx16 *w, const void *act, size_t act_stride, float *out,
               size_t out_stride) {
    const __m256i low4 = _mm256_set1_epi8(0x0F), low2 = _mm256_set1_epi8(0x03);
    for (int half = 0; half < 2; ++half) {
        __m256 acc[NT];
        for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; ++b) {
            const quant::BlockQ6_Kx16 &blk = w[b];
            const __m256 d = load8_f16(blk.d + kHalf * half);
            for (int c = 0; c < 8; ++c) {
                const int h = c / 4, s = c % 4;
                // ql and qh are read out of order: prefetch the next block (53 lines, 7 a chunk).
                const char *next = reinterpret_cast<const char *>(&blk + 1);
                for (int l = 0; l < 7; ++l) _mm_prefetch(next + 64 * (7 * c + l), _MM_HINT_T0);
                __m256i q[8];
                for (int i = 0; i < 8; ++i) {
                    const __m256i ql = _mm256_loadu_si256(
                        reinterpret_cast<const __m256i *>(blk.ql + 64 * (16 * h + 8 * (s & 1) + i) + 32 * half));
                    const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(blk.qh + 64 * (8 * h + i) + 32 * half));
                    const __m256i lo = _mm256_and_si256(s >= 2 ? _mm256_srli_epi16(ql, 4) : ql, low4);
                    const __m256i hi = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * s), low2), 4);
                    q[i] = _mm256_or_si256(lo, hi);
                }
                const __m256 scale0 = _mm256_mul_ps(d, load8_i8(&blk.scales[2 * c][kHalf * half]));
                const __m256 scale1 = _mm256_mul_ps(d, load8_i8(&blk.scales[2 * c + 1][kHalf * half]));
                for (int t = 0; t < NT; ++t) {
                    const ActBlockQ8x32 &x = act_row(act, act_stride, t)[8 * b + c];
                    const __m256i s0 = _mm256_add_epi32(dot4_groups_q6(q, x.q), _mm256_set1_epi32(-32 * x.half_sum[0]));
                    const __m256i s1 = _mm256_add_epi32(dot4_groups_q6(q + 4, x.q + 16), _mm256_set1_epi32(-32 * x.half_sum[1]));
                    const __m256 xd = _mm256_set1_ps(x.d);
                    acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s0), _mm256_mul_ps(scale0, xd), acc[t]);
                    acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s1), _mm256_mul_ps(scale1, xd), acc[t]);
                }
            }
        }
        for (int t = 0; t < NT; ++t) _mm256_storeu_ps(out + t * out_stride + kHalf * half, acc[t]);
    }
}

template <int NT>
struct Q6_KTile {
    static void run(int64_t nb, const quant::BlockQ6_Kx16 *w, const void *a, size_t as, float *o, size_t os) {
        q6_k_tile<NT>(nb, w, a, as, o, os);
    }
};

template <int NT>
struct Q4_0Tile {
    static void run(int64_t nb, const BlockQ4_0x16 *w, const void *a, size_t as, float *o, size_t os) {
        q4_0_tile<NT>(nb, w, a, as, o, os);
    }
};
template <class F>
struct KScaleMin {
    template <int NT>
    struct Tile {
        static void run(int64_t nb, const typename F::Block *w, const void *a, size_t as, float *o, size_t os) {
            k_scale_min_tile<F, NT>(nb, w, a, as, o, os);
        }
    };
};

const InterleavedKernel kQ4_0{act_bytes, convert_act, interleaved_gemm<BlockQ4_0x16, quant::kQK32, kTile, Q4_0Tile>};
const InterleavedKernel kQ4_K{act_bytes, convert_act_k,
                              interleaved_gemm<BlockQ4_Kx16, quant::kQK_K, kTile, KScaleMin<Q4_KUnpack>::Tile>};
const InterleavedKernel kQ5_K{act_bytes, convert_act_k,
                              interleaved_gemm<quant::BlockQ5_Kx16, quant::kQK_K, kTile, KScaleMin<Q5_KUnpack>::Tile>};
const InterleavedKernel kQ6_K{act_bytes, convert_act_k,
                              interleaved_gemm<quant::BlockQ6_Kx16, quant::kQK_K, kTile, Q6_KTile>};
}  // namespace

const InterleavedKernel *avx2_interleaved_kernel(GgmlType type) {
    if (type == GgmlType::Q4_0) return &kQ4_0;
    if (type == GgmlType::Q4_K) return &kQ4_K;
    if (type == GgmlType::Q5_K) return &kQ5_K;
    if (type == GgmlType::Q6_K) return &kQ6_K;
    return nullptr;
}

}  // namespace lamina::cpu::detail
