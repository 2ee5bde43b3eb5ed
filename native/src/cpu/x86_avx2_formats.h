// The block formats' AVX2 unpacking and per-activation-row products (shared by the AVX2 and
// AVX-512 kernel files), and the tiling of weight rows x activation rows. Internal linkage
// throughout; see x86_avx2_helpers.h.
#pragma once

#include "cpu/x86_avx2_helpers.h"

namespace lamina::cpu::detail {
namespace {

// ---- 32-element formats against Q8_0 ---------------------------------------------------------
// A format supplies prep(block) -> W, its levels unpacked once, and add(W, act block, acc,
// acc_min), which adds the block's terms for one activation row to 8 float lanes. The batched
// kernel unpacks a block once for up to 4 activation rows.

struct Q4_0Fmt {
    using Block = BlockQ4_0;
    struct W { __m256i q, aq; float d; };  // signed levels, their magnitudes, scale
    static W prep(const BlockQ4_0 &x) {
        const __m256i q = _mm256_sub_epi8(nibbles_32(x.qs), _mm256_set1_epi8(8));
        return {q, _mm256_sign_epi8(q, q), h2f(x.d)};
    }
    static void add(const W &w, const BlockQ8_0 &y, __m256 &acc, __m256 &) {
        add_loaded(w, loadu256(y.qs), h2f(y.d), acc);
    }
    // add() with the activation block's quants and scale already loaded (shared across rows).
    static void add_loaded(const W &w, __m256i yq, float dy, __m256 &acc) {
        const __m256i p = _mm256_maddubs_epi16(w.aq, _mm256_sign_epi8(yq, w.q));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_madd_epi16(p, _mm256_set1_epi16(1))), _mm256_set1_ps(w.d * dy),
                              acc);
    }
};
struct Q8_0Fmt {
    using Block = BlockQ8_0;
    using W = Q4_0Fmt::W;
    static W prep(const BlockQ8_0 &x) {
        const __m256i q = loadu256(x.qs);
        return {q, _mm256_sign_epi8(q, q), h2f(x.d)};
    }
    static void add(const W &w, const BlockQ8_0 &y, __m256 &acc, __m256 &m) { Q4_0Fmt::add(w, y, acc, m); }
};
struct Q5_0Fmt {
    using Block = BlockQ5_0;
    using W = Q4_0Fmt::W;
    static W prep(const BlockQ5_0 &x) {
        // level - 16 = nibble when the 5th bit is set, else nibble - 16 = nibble | 0xF0 (int8).
        const __m256i hi = _mm256_andnot_si256(bits_to_bytes(load_u32(x.qh)), _mm256_set1_epi8(static_cast<char>(0xF0)));
        const __m256i q = _mm256_or_si256(nibbles_32(x.qs), hi);
        return {q, _mm256_sign_epi8(q, q), h2f(x.d)};
    }
    static void add(const W &w, const BlockQ8_0 &y, __m256 &acc, __m256 &m) { Q4_0Fmt::add(w, y, acc, m); }
};
// The _1 formats: unsigned levels plus a min times the activation sum.
struct MinW { __m256i u; float d, m; };
inline void add_min_format(const MinW &w, const BlockQ8_0 &y, __m256 &acc, __m256 &acc_min) {
    const __m256i ya = loadu256(y.qs);
    const __m256i p = dot_u8_s8(w.u, ya);
    const __m256i s = dot_u8_s8(_mm256_set1_epi8(1), ya);  // activation sum, spread over lanes
    const float da = h2f(y.d);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(w.d * da), acc);
    acc_min = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(w.m * da), acc_min);
}
struct Q4_1Fmt {
    using Block = BlockQ4_1;
    using W = MinW;
    static W prep(const BlockQ4_1 &x) { return {nibbles_32(x.qs), h2f(x.d), h2f(x.m)}; }
    static void add(const W &w, const BlockQ8_0 &y, __m256 &acc, __m256 &m) { add_min_format(w, y, acc, m); }
};
struct Q5_1Fmt {
    using Block = BlockQ5_1;
    using W = MinW;
    static W prep(const BlockQ5_1 &x) {
        const __m256i hi = _mm256_and_si256(bits_to_bytes(load_u32(x.qh)), _mm256_set1_epi8(0x10));
        return {_mm256_or_si256(nibbles_32(x.qs), hi), h2f(x.d), h2f(x.m)};
    }
    static void add(const W &w, const BlockQ8_0 &y, __m256 &acc, __m256 &m) { add_min_format(w, y, acc, m); }
};

template <typename F, int T>
void q32_tile(int64_t nb, const typename F::Block *x, const char *act, size_t act_stride, float *out,
              size_t out_stride) {
    __m256 acc[T], acc_min[T];
    for (int t = 0; t < T; ++t) acc[t] = acc_min[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const typename F::W w = F::prep(x[b]);
        for (int t = 0; t < T; ++t)
            F::add(w, reinterpret_cast<const BlockQ8_0 *>(act + t * act_stride)[b], acc[t], acc_min[t]);
    }
    for (int t = 0; t < T; ++t) out[t * out_stride] = hsum_ps(_mm256_add_ps(acc[t], acc_min[t]));
}

// ---- K formats against Q8_K ------------------------------------------------------------------
// prep() unpacks a super-block once: 8 vectors of 32 unsigned levels, the int16 scale vector
// for each (16-wide sub-blocks: one scale per 128-bit half), and the int16 factors applied to
// the activation's 16 bsums (the offset or min correction). Per activation row the integer sum
// is exact, as in the scalar reference, and the float expression is the reference's.

struct KW {
    __m256i u[8];
    __m256i sc[8];
    __m256i corr;
    float d, dmin;
};

inline __m256i pair_scale(int lo, int hi) {
    return _mm256_set_m128i(_mm_set1_epi16(static_cast<short>(hi)), _mm_set1_epi16(static_cast<short>(lo)));
}

// IntCorr: the correction is part of the integer sum (Q3_K, Q6_K level offsets); otherwise it
// is the min term with its own scale dmin (Q2_K, Q4_K, Q5_K).
template <bool IntCorr>
inline float k_apply(const KW &w, const BlockQ8_K &y) {
    __m256i sumi = _mm256_setzero_si256();
    for (int v = 0; v < 8; ++v)
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(_mm256_maddubs_epi16(w.u[v], loadu256(y.qs + 32 * v)), w.sc[v]));
    const int isum = hsum_epi32(sumi);
    const int corr = hsum_epi32(_mm256_madd_epi16(loadu256(y.bsums), w.corr));
    if constexpr (IntCorr) return y.d * w.d * static_cast<float>(isum - corr);
    return y.d * w.d * static_cast<float>(isum) - y.d * w.dmin * static_cast<float>(corr);
}

struct Q2KFmt {
    using Block = BlockQ2_K;
    static constexpr bool kIntCorr = false;
    static void prep(const BlockQ2_K &x, KW &w) {
        const Q2KLevels lv(x);
        for (int v = 0; v < 8; ++v) {
            w.u[v] = lv.get(v);
            w.sc[v] = pair_scale(x.scales[2 * v] & 0xF, x.scales[2 * v + 1] & 0xF);
        }
        const __m128i s = loadu128(x.scales);
        w.corr = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(s, 4), _mm_set1_epi8(0x0F)));
        w.d = h2f(x.d);
        w.dmin = h2f(x.dmin);
    }
};
struct Q3KFmt {
    using Block = BlockQ3_K;
    static constexpr bool kIntCorr = true;
    static void prep(const BlockQ3_K &x, KW &w) {
        int8_t sc[16];
        q3_K_scales(x.scales, sc);
        const Q3KLevels lv(x);
        for (int v = 0; v < 8; ++v) {
            w.u[v] = lv.get(v);
            w.sc[v] = pair_scale(sc[2 * v], sc[2 * v + 1]);
        }
        // Levels are stored +4.
        w.corr = _mm256_slli_epi16(_mm256_cvtepi8_epi16(loadu128(sc)), 2);
        w.d = h2f(x.d);
        w.dmin = 0.0f;
    }
};
template <typename Levels>
void prep_scale_min(const typename Levels::Block &x, KW &w) {
    uint8_t sc[8], mn[8];
    k_scales_mins(x.scales, sc, mn);
    const Levels lv(x);
    for (int v = 0; v < 8; ++v) {
        w.u[v] = lv.get(v);
        w.sc[v] = _mm256_set1_epi16(sc[v]);
    }
    uint64_t m8;
    std::memcpy(&m8, mn, 8);
    const __m128i m = _mm_cvtsi64_si128(static_cast<long long>(m8));
    w.corr = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m, m));  // min j for bsums 2j and 2j+1
    w.d = h2f(x.d);
    w.dmin = h2f(x.dmin);
}
struct Q4KFmt {
    using Block = BlockQ4_K;
    static constexpr bool kIntCorr = false;
    static void prep(const BlockQ4_K &x, KW &w) { prep_scale_min<Q4KLevels>(x, w); }
};
struct Q5KFmt {
    using Block = BlockQ5_K;
    static constexpr bool kIntCorr = false;
    static void prep(const BlockQ5_K &x, KW &w) { prep_scale_min<Q5KLevels>(x, w); }
};
struct Q6KFmt {
    using Block = BlockQ6_K;
    static constexpr bool kIntCorr = true;
    static void prep(const BlockQ6_K &x, KW &w) {
        const Q6KLevels lv(x);
        for (int v = 0; v < 8; ++v) {
            w.u[v] = lv.get(v);
            w.sc[v] = pair_scale(x.scales[2 * v], x.scales[2 * v + 1]);
        }
        // Levels are stored +32.
        w.corr = _mm256_slli_epi16(_mm256_cvtepi8_epi16(loadu128(x.scales)), 5);
        w.d = h2f(x.d);
        w.dmin = 0.0f;
    }
};

template <typename F, int T>
void k_tile(int64_t nb, const typename F::Block *x, const char *act, size_t act_stride, float *out,
            size_t out_stride) {
    float sum[T];
    for (int t = 0; t < T; ++t) sum[t] = 0.0f;
    KW w;
    for (int64_t b = 0; b < nb; ++b) {
        F::prep(x[b], w);
        for (int t = 0; t < T; ++t)
            sum[t] += k_apply<F::kIntCorr>(w, reinterpret_cast<const BlockQ8_K *>(act + t * act_stride)[b]);
    }
    for (int t = 0; t < T; ++t) out[t * out_stride] = sum[t];
}

// Rows x activation rows in tiles of 4 activation rows (Tile<F, T> handles one weight row).
template <typename F, void (*Tile1)(int64_t, const typename F::Block *, const char *, size_t, float *, size_t),
          void (*Tile2)(int64_t, const typename F::Block *, const char *, size_t, float *, size_t),
          void (*Tile3)(int64_t, const typename F::Block *, const char *, size_t, float *, size_t),
          void (*Tile4)(int64_t, const typename F::Block *, const char *, size_t, float *, size_t), int kBlock>
void tiled_batch(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, size_t act_stride,
                 int64_t n_act, float *out, size_t out_stride) {
    const int64_t nb = k / kBlock;
    for (int64_t r = 0; r < n_rows; ++r) {
        const auto *x = reinterpret_cast<const typename F::Block *>(static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride);
        for (int64_t t0 = 0; t0 < n_act; t0 += 4) {
            const char *a = static_cast<const char *>(act) + static_cast<size_t>(t0) * act_stride;
            float *o = out + static_cast<size_t>(t0) * out_stride + r;
            switch (n_act - t0 < 4 ? n_act - t0 : 4) {
                case 1: Tile1(nb, x, a, act_stride, o, out_stride); break;
                case 2: Tile2(nb, x, a, act_stride, o, out_stride); break;
                case 3: Tile3(nb, x, a, act_stride, o, out_stride); break;
                default: Tile4(nb, x, a, act_stride, o, out_stride); break;
            }
        }
    }
}

// The signed formats (Q4_0, Q5_0, Q8_0) against many activation rows: RM weight rows x RN
// activation rows per tile, so each activation block loaded serves RM rows and each unpacked
// weight block RN activations. Each (row, activation) sum takes the same steps as q32_tile's,
// so a batch gives the bits a single row gives.
template <typename F, int RM, int RN>
void q32_signed_tile(int64_t nb, const char *w, size_t w_stride, const char *act, size_t act_stride, float *out,
                     size_t out_stride) {
    __m256 acc[RM][RN];
    for (int i = 0; i < RM; ++i)
        for (int j = 0; j < RN; ++j) acc[i][j] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        typename F::W wv[RM];
        for (int i = 0; i < RM; ++i) wv[i] = F::prep(reinterpret_cast<const typename F::Block *>(w + i * w_stride)[b]);
        for (int j = 0; j < RN; ++j) {
            const BlockQ8_0 &y = reinterpret_cast<const BlockQ8_0 *>(act + j * act_stride)[b];
            const __m256i yq = loadu256(y.qs);
            const float dy = h2f(y.d);
            for (int i = 0; i < RM; ++i) Q4_0Fmt::add_loaded(wv[i], yq, dy, acc[i][j]);
        }
    }
    // q32_tile adds its (zero) min accumulator before the sum; so does this, down to the sign of zero.
    const __m256 zero = _mm256_setzero_ps();
    for (int i = 0; i < RM; ++i)
        for (int j = 0; j < RN; ++j) out[j * out_stride + i] = hsum_ps(_mm256_add_ps(acc[i][j], zero));
}

template <typename F, int RM>
void q32_signed_rows(int64_t nb, const char *w, size_t w_stride, const char *act, size_t act_stride, int64_t n_act,
                     float *out, size_t out_stride) {
    // 2 x 3 accumulators, the two rows' levels and the activation fit the 16 ymm registers;
    // at 2 x 4 the accumulators spill and the tile is slower than one row at a time.
    constexpr int kRn = 3;
    int64_t t0 = 0;
    for (; t0 + kRn <= n_act; t0 += kRn) {
        q32_signed_tile<F, RM, kRn>(nb, w, w_stride, act + t0 * act_stride, act_stride, out + t0 * out_stride, out_stride);
    }
    const char *a = act + t0 * act_stride;
    float *o = out + t0 * out_stride;
    switch (n_act - t0) {
        case 1: q32_signed_tile<F, RM, 1>(nb, w, w_stride, a, act_stride, o, out_stride); break;
        case 2: q32_signed_tile<F, RM, 2>(nb, w, w_stride, a, act_stride, o, out_stride); break;
        case 3: q32_signed_tile<F, RM, 3>(nb, w, w_stride, a, act_stride, o, out_stride); break;
        default: break;
    }
}

template <typename F>
void q32_signed_batch(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, size_t act_stride,
                      int64_t n_act, float *out, size_t out_stride) {
    const int64_t nb = k / kQK32;
    const char *rows = static_cast<const char *>(w), *a = static_cast<const char *>(act);
    int64_t r = 0;
    for (; r + 2 <= n_rows; r += 2) {
        q32_signed_rows<F, 2>(nb, rows + static_cast<size_t>(r) * w_stride, w_stride, a, act_stride, n_act, out + r,
                              out_stride);
    }
    if (r < n_rows) {
        q32_signed_rows<F, 1>(nb, rows + static_cast<size_t>(r) * w_stride, w_stride, a, act_stride, n_act, out + r,
                              out_stride);
    }
}

template <typename F>
void q32_batch(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, size_t act_stride,
               int64_t n_act, float *out, size_t out_stride) {
    tiled_batch<F, q32_tile<F, 1>, q32_tile<F, 2>, q32_tile<F, 3>, q32_tile<F, 4>, kQK32>(
        k, w, w_stride, n_rows, act, act_stride, n_act, out, out_stride);
}
template <typename F>
void q32_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
    tiled_batch<F, q32_tile<F, 1>, q32_tile<F, 1>, q32_tile<F, 1>, q32_tile<F, 1>, kQK32>(
        k, w, w_stride, n_rows, act, 0, 1, out, 1);
}
template <typename F>
void k_batch(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, size_t act_stride,
             int64_t n_act, float *out, size_t out_stride) {
    tiled_batch<F, k_tile<F, 1>, k_tile<F, 2>, k_tile<F, 3>, k_tile<F, 4>, kQK_K>(
        k, w, w_stride, n_rows, act, act_stride, n_act, out, out_stride);
}
template <typename F>
void k_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
    tiled_batch<F, k_tile<F, 1>, k_tile<F, 1>, k_tile<F, 1>, k_tile<F, 1>, kQK_K>(
        k, w, w_stride, n_rows, act, 0, 1, out, 1);
}

}  // namespace
}  // namespace lamina::cpu::detail
