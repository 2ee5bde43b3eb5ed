// AVX-512 (F/BW/VL/DQ) kernel bodies, instantiated twice: kernels_avx512.cpp with a policy
// built on VPMADDUBSW/VPMADDWD (with VNNI code generation switched off), and
// kernels_vnni_avx512.cpp with one built on VPDPBUSD. A policy provides
//   __m512i dot4(__m512i acc, __m512i u, __m512i s)     acc + sums of 4 adjacent u8*s8 products
//   __m512i scaled(__m512i u, __m512i s, int s0..s3)     like dot4 from zero, each 128-bit lane
//                                                       (16 bytes) multiplied by its own scale
// Internal linkage throughout (see x86_avx2_helpers.h).
#pragma once

#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512VL__)
#error "x86_avx512_kernels.h belongs in files compiled with the AVX-512 flags"
#endif

#include <vector>

#include "cpu/x86_avx2_helpers.h"

#include "cpu/x86_avx2_formats.h"

namespace lamina::cpu::detail {
namespace {

inline __m512i combine256(__m256i lo, __m256i hi) {
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
}
inline __m512 combine_ps(float lo, float hi) {
    return _mm512_insertf32x8(_mm512_set1_ps(lo), _mm256_set1_ps(hi), 1);
}
inline __m512i loadu512(const void *p) { return _mm512_loadu_si512(p); }

// ---- float weights ---------------------------------------------------------------------------

struct Load16F32 {
    static __m512 load16(const void *row, int64_t i) { return _mm512_loadu_ps(static_cast<const float *>(row) + i); }
    static float load1(const void *row, int64_t i) {  // rows may be unaligned: memcpy, not a float load
        float v;
        std::memcpy(&v, static_cast<const char *>(row) + 4 * i, 4);
        return v;
    }
};
struct Load16F16 {
    static __m512 load16(const void *row, int64_t i) {
        return _mm512_cvtph_ps(loadu256(static_cast<const uint16_t *>(row) + i));
    }
    static float load1(const void *row, int64_t i) {
        uint16_t h;
        std::memcpy(&h, static_cast<const char *>(row) + 2 * i, 2);
        return h2f(h);
    }
};
struct Load16BF16 {
    static __m512 load16(const void *row, int64_t i) {
        const __m512i w = _mm512_cvtepu16_epi32(loadu256(static_cast<const uint16_t *>(row) + i));
        return _mm512_castsi512_ps(_mm512_slli_epi32(w, 16));
    }
    static float load1(const void *row, int64_t i) {
        uint16_t h;
        std::memcpy(&h, static_cast<const char *>(row) + 2 * i, 2);
        const uint32_t bits = static_cast<uint32_t>(h) << 16;
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
    }
};

template <typename Load>
void float_dot_rows_512(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
    const float *x = static_cast<const float *>(act);
    for (int64_t r = 0; r < n_rows; ++r) {
        const void *row = static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride;
        __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
        int64_t i = 0;
        for (; i + 64 <= k; i += 64)
            for (int u = 0; u < 4; ++u)
                acc[u] = _mm512_fmadd_ps(Load::load16(row, i + 16 * u), _mm512_loadu_ps(x + i + 16 * u), acc[u]);
        for (; i + 16 <= k; i += 16) acc[0] = _mm512_fmadd_ps(Load::load16(row, i), _mm512_loadu_ps(x + i), acc[0]);
        float sum = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3])));
        for (; i < k; ++i) sum += Load::load1(row, i) * x[i];
        out[r] = sum;
    }
}

template <typename Load, int T>
void float_tile_512(int64_t k, const void *row, const float *x, size_t x_stride, float *out, size_t out_stride) {
    __m512 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= k; i += 16) {
        const __m512 wv = Load::load16(row, i);
        for (int t = 0; t < T; ++t) acc[t] = _mm512_fmadd_ps(wv, _mm512_loadu_ps(x + t * x_stride + i), acc[t]);
    }
    for (int t = 0; t < T; ++t) {
        float sum = _mm512_reduce_add_ps(acc[t]);
        for (int64_t j = i; j < k; ++j) sum += Load::load1(row, j) * x[t * x_stride + j];
        out[t * out_stride] = sum;
    }
}

// 4 weight rows x 4 activation rows: each converted weight vector and each activation vector is
// loaded once for 4 FMAs, so the loop is bound by FMA throughput rather than by loads.
template <typename Load>
void float_tile4x4_512(int64_t k, const void *w, size_t w_stride, const float *x, size_t x_stride, float *out,
                       size_t out_stride) {
    __m512 acc[4][4];
    for (auto &row : acc)
        for (__m512 &a : row) a = _mm512_setzero_ps();
    const char *rows = static_cast<const char *>(w);
    int64_t i = 0;
    for (; i + 16 <= k; i += 16) {
        __m512 wv[4];
        for (int r = 0; r < 4; ++r) wv[r] = Load::load16(rows + r * w_stride, i);
        for (int t = 0; t < 4; ++t) {
            const __m512 xv = _mm512_loadu_ps(x + t * x_stride + i);
            for (int r = 0; r < 4; ++r) acc[r][t] = _mm512_fmadd_ps(wv[r], xv, acc[r][t]);
        }
    }
    for (int r = 0; r < 4; ++r) {
        for (int t = 0; t < 4; ++t) {
            float sum = _mm512_reduce_add_ps(acc[r][t]);
            for (int64_t j = i; j < k; ++j) sum += Load::load1(rows + r * w_stride, j) * x[t * x_stride + j];
            out[t * out_stride + r] = sum;
        }
    }
}

template <typename Load>
void float_batch_512(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, size_t act_stride,
                     int64_t n_act, float *out, size_t out_stride) {
    const size_t xs = act_stride / sizeof(float);
    int64_t r = 0;
    // Full 4x4 tiles first; leftover rows and tokens take the one-row tiles below.
    const int64_t full_t = n_act / 4 * 4;
    if (full_t > 0) {
        for (; r + 4 <= n_rows; r += 4) {
            const void *rows = static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride;
            for (int64_t t0 = 0; t0 < full_t; t0 += 4) {
                float_tile4x4_512<Load>(k, rows, w_stride, static_cast<const float *>(act) + static_cast<size_t>(t0) * xs, xs,
                                        out + static_cast<size_t>(t0) * out_stride + r, out_stride);
            }
            for (int64_t t = full_t; t < n_act; ++t) {
                float_dot_rows_512<Load>(k, rows, w_stride, 4, static_cast<const float *>(act) + static_cast<size_t>(t) * xs,
                                         out + static_cast<size_t>(t) * out_stride + r);
            }
        }
    }
    for (; r < n_rows; ++r) {
        const void *row = static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride;
        for (int64_t t0 = 0; t0 < n_act; t0 += 4) {
            const float *x = static_cast<const float *>(act) + static_cast<size_t>(t0) * xs;
            float *o = out + static_cast<size_t>(t0) * out_stride + r;
            switch (n_act - t0 < 4 ? n_act - t0 : 4) {
                case 1: float_tile_512<Load, 1>(k, row, x, xs, o, out_stride); break;
                case 2: float_tile_512<Load, 2>(k, row, x, xs, o, out_stride); break;
                case 3: float_tile_512<Load, 3>(k, row, x, xs, o, out_stride); break;
                default: float_tile_512<Load, 4>(k, row, x, xs, o, out_stride); break;
            }
        }
    }
}

// ---- 32-element formats, two blocks per register ---------------------------------------------
// A format supplies prep(first block, second block) -> PairW (unsigned levels u of both blocks,
// their scales) and whether its levels carry an offset (Q4_0: 8, Q5_0: 16), a min (Q4_1,
// Q5_1), or a sign (Q8_0: u = |q|, the signs are moved onto the activations via `neg`).

struct PairW {
    __m512i u;
    __mmask64 neg;  // Q8_0: bytes whose weight is negative
    __m512 d, m;
};

inline __m256i q5_levels(const uint8_t *qs, const uint8_t *qh) {
    return _mm256_or_si256(nibbles_32(qs), _mm256_and_si256(bits_to_bytes(load_u32(qh)), _mm256_set1_epi8(0x10)));
}

struct Q4_0Pair {
    using Block = BlockQ4_0;
    static constexpr int kOffset = 8;
    static constexpr bool kMin = false, kSigned = false;
    static PairW prep(const Block &a, const Block &b) {
        return {combine256(nibbles_32(a.qs), nibbles_32(b.qs)), 0, combine_ps(h2f(a.d), h2f(b.d)), _mm512_setzero_ps()};
    }
};
struct Q4_1Pair {
    using Block = BlockQ4_1;
    static constexpr int kOffset = 0;
    static constexpr bool kMin = true, kSigned = false;
    static PairW prep(const Block &a, const Block &b) {
        return {combine256(nibbles_32(a.qs), nibbles_32(b.qs)), 0, combine_ps(h2f(a.d), h2f(b.d)),
                combine_ps(h2f(a.m), h2f(b.m))};
    }
};
struct Q5_0Pair {
    using Block = BlockQ5_0;
    static constexpr int kOffset = 16;
    static constexpr bool kMin = false, kSigned = false;
    static PairW prep(const Block &a, const Block &b) {
        return {combine256(q5_levels(a.qs, a.qh), q5_levels(b.qs, b.qh)), 0, combine_ps(h2f(a.d), h2f(b.d)),
                _mm512_setzero_ps()};
    }
};
struct Q5_1Pair {
    using Block = BlockQ5_1;
    static constexpr int kOffset = 0;
    static constexpr bool kMin = true, kSigned = false;
    static PairW prep(const Block &a, const Block &b) {
        return {combine256(q5_levels(a.qs, a.qh), q5_levels(b.qs, b.qh)), 0, combine_ps(h2f(a.d), h2f(b.d)),
                combine_ps(h2f(a.m), h2f(b.m))};
    }
};
struct Q8_0Pair {
    using Block = BlockQ8_0;
    static constexpr int kOffset = 0;
    static constexpr bool kMin = false, kSigned = true;
    static PairW prep(const Block &a, const Block &b) {
        const __m512i q = combine256(loadu256(a.qs), loadu256(b.qs));
        return {_mm512_abs_epi8(q), _mm512_movepi8_mask(q), combine_ps(h2f(a.d), h2f(b.d)), _mm512_setzero_ps()};
    }
};

template <typename P, typename F>
inline void pair_add(const PairW &w, __m512i s, __m512 da, __m512 &acc, __m512 &acc_min) {
    if constexpr (F::kSigned) s = _mm512_mask_sub_epi8(s, w.neg, _mm512_setzero_si512(), s);
    __m512i d = P::dot4(_mm512_setzero_si512(), w.u, s);
    if constexpr (F::kOffset != 0 || F::kMin) {
        const __m512i ssum = P::dot4(_mm512_setzero_si512(), _mm512_set1_epi8(1), s);
        // The offsets are powers of two (8, 16): a shift instead of a 10-cycle vpmulld.
        static_assert((F::kOffset & (F::kOffset - 1)) == 0, "offset must be a power of two");
        constexpr int kShift = F::kOffset == 16 ? 4 : F::kOffset == 8 ? 3 : 0;
        if constexpr (F::kOffset != 0) d = _mm512_sub_epi32(d, _mm512_slli_epi32(ssum, kShift));
        if constexpr (F::kMin) acc_min = _mm512_fmadd_ps(_mm512_cvtepi32_ps(ssum), _mm512_mul_ps(w.m, da), acc_min);
    }
    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(d), _mm512_mul_ps(w.d, da), acc);
}

template <typename P, typename F, int T>
void q32_tile_512(int64_t nb, const typename F::Block *x, const char *act, size_t act_stride, float *out,
                  size_t out_stride) {
    __m512 acc[T], acc_min[T];
    for (int t = 0; t < T; ++t) acc[t] = acc_min[t] = _mm512_setzero_ps();
    int64_t b = 0;
    for (; b + 2 <= nb; b += 2) {
        const PairW w = F::prep(x[b], x[b + 1]);
        for (int t = 0; t < T; ++t) {
            const BlockQ8_0 *a = reinterpret_cast<const BlockQ8_0 *>(act + t * act_stride) + b;
            pair_add<P, F>(w, combine256(loadu256(a[0].qs), loadu256(a[1].qs)), combine_ps(h2f(a[0].d), h2f(a[1].d)),
                           acc[t], acc_min[t]);
        }
    }
    if (b < nb) {  // odd block count: the last block pairs with itself against zero activations
        const PairW w = F::prep(x[b], x[b]);
        for (int t = 0; t < T; ++t) {
            const BlockQ8_0 *a = reinterpret_cast<const BlockQ8_0 *>(act + t * act_stride) + b;
            pair_add<P, F>(w, combine256(loadu256(a[0].qs), _mm256_setzero_si256()), combine_ps(h2f(a[0].d), 0.0f),
                           acc[t], acc_min[t]);
        }
    }
    for (int t = 0; t < T; ++t) out[t * out_stride] = _mm512_reduce_add_ps(_mm512_add_ps(acc[t], acc_min[t]));
}

// Batches (prompt tokens) multiply every activation row with many weight rows, so what depends
// only on an activation block is prepared once per call instead of once per weight row: its
// scale as float, and for offset/min formats the scaled sum of its quants (the correction that
// otherwise costs a second VPDPBUSD per block pair). Sums are stored /8 because each block's dot
// product is spread over 8 lanes that the final reduction adds up.
// std::vector code instantiated here is compiled for AVX-512. With the standard allocator those
// instantiations are the same (weak) symbols as every other file's, and the linker may keep this
// file's copy for the whole library: an illegal instruction on a CPU without AVX-512. An
// allocator type local to this file makes each instantiation this file's own.
template <typename T>
struct LocalAllocator : std::allocator<T> {
    template <typename U>
    struct rebind {
        using other = LocalAllocator<U>;
    };
    LocalAllocator() = default;
    template <typename U>
    LocalAllocator(const LocalAllocator<U> &) {}
};
template <typename T>
using LocalVector = std::vector<T, LocalAllocator<T>>;

struct ActExtras {
    // Per activation row and block pair, 16 lanes as the kernels use them (lanes 0-7: first
    // block, 8-15: second): the scales, and the min-format sums (d*sum/8, spread over 8 lanes).
    LocalVector<float> d, s;
    // Offset formats (Q4_0: levels - 8): -offset*sum(q) in lanes 0 and 8, the start value of
    // the integer dot product, so the correction costs nothing in the inner loop.
    LocalVector<int32_t> neg;
};

template <typename F>
void prepare_act_extras(int64_t nb, const char *act, size_t act_stride, int64_t n_act, ActExtras &ex) {
    const size_t pairs = static_cast<size_t>(nb + 1) / 2;
    const size_t n = pairs * 16 * static_cast<size_t>(n_act);
    ex.d.assign(n, 0.0f);  // a missing partner of an odd last block stays 0
    if constexpr (F::kMin) ex.s.assign(n, 0.0f);
    if constexpr (F::kOffset != 0) ex.neg.assign(n, 0);
    const __m256i ones = _mm256_set1_epi8(1);
    for (int64_t t = 0; t < n_act; ++t) {
        const BlockQ8_0 *a = reinterpret_cast<const BlockQ8_0 *>(act + t * act_stride);
        const size_t row = static_cast<size_t>(t) * pairs * 16;
        for (int64_t b = 0; b < nb; ++b) {
            const size_t at = row + static_cast<size_t>(b / 2) * 16 + static_cast<size_t>(b % 2) * 8;
            const float d = h2f(a[b].d);
            for (int l = 0; l < 8; ++l) ex.d[at + l] = d;
            if constexpr (F::kOffset != 0 || F::kMin) {
                const __m256i q = loadu256(a[b].qs);
                // sum of 32 signed bytes: |q| with the sign moved to the ones, then pairwise adds
                const __m256i pairs16 = _mm256_maddubs_epi16(_mm256_abs_epi8(q), _mm256_sign_epi8(ones, q));
                const int sum = hsum_epi32(_mm256_madd_epi16(pairs16, _mm256_set1_epi16(1)));
                if constexpr (F::kMin) {
                    for (int l = 0; l < 8; ++l) ex.s[at + l] = d * static_cast<float>(sum) * 0.125f;
                }
                if constexpr (F::kOffset != 0) ex.neg[at] = -F::kOffset * sum;
            }
        }
    }
}

// R weight rows x T activation rows: each activation block pair and its prepared scales are
// loaded once for R rows, each unpacked weight pair is used for T activation rows.
template <typename P, typename F, int R, int T>
void q32_tile_prepared_512(int64_t nb, const char *w, size_t w_stride, const char *act, size_t act_stride,
                           const ActExtras &ex, size_t ex_row, float *out, size_t out_stride) {
    __m512 acc[R][T];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < T; ++t) acc[r][t] = _mm512_setzero_ps();
    const size_t ex_stride = static_cast<size_t>(nb + 1) / 2 * 16;
    for (int64_t b = 0; b < nb; b += 2) {
        const bool pair = b + 1 < nb;  // odd block count: the last block pairs with zero activations
        PairW wp[R];
        for (int r = 0; r < R; ++r) {
            const auto *x = reinterpret_cast<const typename F::Block *>(w + r * w_stride);
            wp[r] = F::prep(x[b], x[pair ? b + 1 : b]);
        }
        const size_t lane = static_cast<size_t>(b / 2) * 16;
        for (int t = 0; t < T; ++t) {
            const BlockQ8_0 *a = reinterpret_cast<const BlockQ8_0 *>(act + t * act_stride) + b;
            const __m512i q = combine256(loadu256(a[0].qs), pair ? loadu256(a[1].qs) : _mm256_setzero_si256());
            const size_t at = (ex_row + t) * ex_stride + lane;
            const __m512 dav = _mm512_loadu_ps(ex.d.data() + at);
            __m512i start = _mm512_setzero_si512();
            if constexpr (F::kOffset != 0) start = _mm512_loadu_si512(ex.neg.data() + at);
            __m512 sav = _mm512_setzero_ps();
            if constexpr (F::kMin) sav = _mm512_loadu_ps(ex.s.data() + at);
            for (int r = 0; r < R; ++r) {
                __m512i qs = q;
                if constexpr (F::kSigned) qs = _mm512_mask_sub_epi8(q, wp[r].neg, _mm512_setzero_si512(), q);
                const __m512i dot = P::dot4(start, wp[r].u, qs);
                acc[r][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(wp[r].d, dav), acc[r][t]);
                if constexpr (F::kMin) acc[r][t] = _mm512_fmadd_ps(wp[r].m, sav, acc[r][t]);
            }
        }
    }
    for (int r = 0; r < R; ++r) {
        for (int t = 0; t < T; ++t) out[t * out_stride + r] = _mm512_reduce_add_ps(acc[r][t]);
    }
}

template <typename P, typename F, int R>
void q32_rows_prepared_512(int64_t nb, const char *w, size_t w_stride, const char *act, size_t act_stride,
                           int64_t n_act, const ActExtras &ex, float *out, size_t out_stride) {
    for (int64_t t0 = 0; t0 < n_act; t0 += 4) {
        const char *a = act + static_cast<size_t>(t0) * act_stride;
        const size_t row = static_cast<size_t>(t0);
        float *o = out + static_cast<size_t>(t0) * out_stride;
        switch (n_act - t0 < 4 ? n_act - t0 : 4) {
            case 1: q32_tile_prepared_512<P, F, R, 1>(nb, w, w_stride, a, act_stride, ex, row, o, out_stride); break;
            case 2: q32_tile_prepared_512<P, F, R, 2>(nb, w, w_stride, a, act_stride, ex, row, o, out_stride); break;
            case 3: q32_tile_prepared_512<P, F, R, 3>(nb, w, w_stride, a, act_stride, ex, row, o, out_stride); break;
            default: q32_tile_prepared_512<P, F, R, 4>(nb, w, w_stride, a, act_stride, ex, row, o, out_stride); break;
        }
    }
}

template <typename P, typename F>
void q32_batch_prepared_512(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act,
                            size_t act_stride, int64_t n_act, float *out, size_t out_stride) {
    const int64_t nb = k / kQK32;
    thread_local ActExtras ex;
    const char *a = static_cast<const char *>(act);
    prepare_act_extras<F>(nb, a, act_stride, n_act, ex);
    const char *rows = static_cast<const char *>(w);
    int64_t r = 0;
    for (; r + 4 <= n_rows; r += 4) {
        q32_rows_prepared_512<P, F, 4>(nb, rows + static_cast<size_t>(r) * w_stride, w_stride, a, act_stride, n_act, ex,
                                       out + r, out_stride);
    }
    for (; r + 2 <= n_rows; r += 2) {
        q32_rows_prepared_512<P, F, 2>(nb, rows + static_cast<size_t>(r) * w_stride, w_stride, a, act_stride, n_act, ex,
                                       out + r, out_stride);
    }
    if (r < n_rows) {
        q32_rows_prepared_512<P, F, 1>(nb, rows + static_cast<size_t>(r) * w_stride, w_stride, a, act_stride, n_act, ex,
                                       out + r, out_stride);
    }
}

// ---- K formats: 64 levels per register -------------------------------------------------------

struct KW512 {
    __m512i u[4];
    __m512i sc[4];
    __m256i corr;
    float d, dmin;
};

template <typename P, typename F>
inline void k_prep_512(const typename F::Block &x, KW512 &w) {
    KW w2;
    F::prep(x, w2);
    for (int p = 0; p < 4; ++p) {
        w.u[p] = combine256(w2.u[2 * p], w2.u[2 * p + 1]);
        w.sc[p] = P::scale_vec(w2.sc[2 * p], w2.sc[2 * p + 1]);
    }
    w.corr = w2.corr;
    w.d = w2.d;
    w.dmin = w2.dmin;
}

// Accumulates in vectors and reduces once per (row, token): a horizontal sum per 256-element
// block and token would cost more than the block's dot products.
template <typename P, typename F, int T>
void k_tile_512(int64_t nb, const typename F::Block *x, const char *act, size_t act_stride, float *out,
                size_t out_stride) {
    __m512 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm512_setzero_ps();
    KW512 w;
    for (int64_t b = 0; b < nb; ++b) {
        k_prep_512<P, F>(x[b], w);
        for (int t = 0; t < T; ++t) {
            const BlockQ8_K &y = reinterpret_cast<const BlockQ8_K *>(act + t * act_stride)[b];
            __m512i sumi = _mm512_setzero_si512();
            for (int p = 0; p < 4; ++p) sumi = _mm512_add_epi32(sumi, P::scaled(w.u[p], loadu512(y.qs + 64 * p), w.sc[p]));
            const __m512i corr = _mm512_zextsi256_si512(_mm256_madd_epi16(loadu256(y.bsums), w.corr));
            if constexpr (F::kIntCorr) {
                acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(sumi, corr)), _mm512_set1_ps(y.d * w.d), acc[t]);
            } else {
                acc[t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sumi), _mm512_set1_ps(y.d * w.d), acc[t]);
                acc[t] = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(corr), _mm512_set1_ps(y.d * w.dmin), acc[t]);
            }
        }
    }
    for (int t = 0; t < T; ++t) out[t * out_stride] = _mm512_reduce_add_ps(acc[t]);
}

// The full table for one policy.
template <typename P>
struct Avx512Table {
    template <typename F>
    static void q32_batch(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act,
                          size_t act_stride, int64_t n_act, float *out, size_t out_stride) {
        if (n_act > 1) {
            q32_batch_prepared_512<P, F>(k, w, w_stride, n_rows, act, act_stride, n_act, out, out_stride);
            return;
        }
        tiled_batch<F, q32_tile_512<P, F, 1>, q32_tile_512<P, F, 2>, q32_tile_512<P, F, 3>, q32_tile_512<P, F, 4>, kQK32>(
            k, w, w_stride, n_rows, act, act_stride, n_act, out, out_stride);
    }
    template <typename F>
    static void q32_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
        q32_batch<F>(k, w, w_stride, n_rows, act, 0, 1, out, 1);
    }
    template <typename F>
    static void k_batch(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act,
                        size_t act_stride, int64_t n_act, float *out, size_t out_stride) {
        tiled_batch<F, k_tile_512<P, F, 1>, k_tile_512<P, F, 2>, k_tile_512<P, F, 3>, k_tile_512<P, F, 4>, kQK_K>(
            k, w, w_stride, n_rows, act, act_stride, n_act, out, out_stride);
    }
    template <typename F>
    static void k_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
        k_batch<F>(k, w, w_stride, n_rows, act, 0, 1, out, 1);
    }
    template <typename F>
    static constexpr DotKernel q32() {
        return {GgmlType::Q8_0, q8_0_bytes, quantize_q8_0_avx2, q32_rows<F>, q32_batch<F>};
    }
    template <typename F>
    static constexpr DotKernel kq() {
        return {GgmlType::Q8_K, q8_K_bytes, quantize_q8_K_avx2, k_rows<F>, k_batch<F>};
    }

    static constexpr DotKernel f32{GgmlType::F32, f32_bytes, f32_copy, float_dot_rows_512<Load16F32>,
                                   float_batch_512<Load16F32>};
    static constexpr DotKernel f16{GgmlType::F32, f32_bytes, f32_copy, float_dot_rows_512<Load16F16>,
                                   float_batch_512<Load16F16>};
    static constexpr DotKernel bf16{GgmlType::F32, f32_bytes, f32_copy, float_dot_rows_512<Load16BF16>,
                                    float_batch_512<Load16BF16>};
    static constexpr DotKernel q4_0 = q32<Q4_0Pair>();
    static constexpr DotKernel q4_1 = q32<Q4_1Pair>();
    static constexpr DotKernel q5_0 = q32<Q5_0Pair>();
    static constexpr DotKernel q5_1 = q32<Q5_1Pair>();
    static constexpr DotKernel q8_0 = q32<Q8_0Pair>();
    static constexpr DotKernel q2_K = kq<Q2KFmt>();
    static constexpr DotKernel q3_K = kq<Q3KFmt>();
    static constexpr DotKernel q4_K = kq<Q4KFmt>();
    static constexpr DotKernel q5_K = kq<Q5KFmt>();
    static constexpr DotKernel q6_K = kq<Q6KFmt>();

    static const DotKernel *quant(GgmlType type) {
        switch (type) {
            case GgmlType::Q4_0: return &q4_0;
            case GgmlType::Q4_1: return &q4_1;
            case GgmlType::Q5_0: return &q5_0;
            case GgmlType::Q5_1: return &q5_1;
            case GgmlType::Q8_0: return &q8_0;
            case GgmlType::Q2_K: return &q2_K;
            case GgmlType::Q3_K: return &q3_K;
            case GgmlType::Q4_K: return &q4_K;
            case GgmlType::Q5_K: return &q5_K;
            case GgmlType::Q6_K: return &q6_K;
            default: return nullptr;
        }
    }
    static const DotKernel *floats(GgmlType type) {
        switch (type) {
            case GgmlType::F32: return &f32;
            case GgmlType::F16: return &f16;
            case GgmlType::BF16: return &bf16;
            default: return nullptr;
        }
    }
};

}  // namespace
}  // namespace lamina::cpu::detail
