// 256-bit helpers shared by the AVX2 and AVX-512 kernel files: unpacking each block format's
// levels into bytes, activation quantizers, horizontal sums.
//
// Everything here has internal linkage (unnamed namespace) ON PURPOSE: each ISA file compiles
// its own copy with its own instruction-set flags. An inline function with external linkage
// would be merged across files by the linker, and an AVX-512 copy could end up running on an
// AVX2-only CPU. For the same reason the ISA files call no inline functions of shared headers
// (float_convert.h, blocks.h helpers) and instantiate no std:: templates.
#pragma once

#if !defined(__AVX2__) || !defined(__FMA__) || !defined(__F16C__)
#error "x86_avx2_helpers.h belongs in files compiled with -mavx2 -mfma -mf16c"
#endif

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "cpu/kernels.h"
#include "cpu/variant_tables.h"
#include "quant/blocks.h"

namespace lamina::cpu::detail {
namespace {

using quant::BlockQ2_K;
using quant::BlockQ3_K;
using quant::BlockQ4_0;
using quant::BlockQ4_1;
using quant::BlockQ4_K;
using quant::BlockQ5_0;
using quant::BlockQ5_1;
using quant::BlockQ5_K;
using quant::BlockQ6_K;
using quant::BlockQ8_0;
using quant::BlockQ8_K;
using quant::kQK32;
using quant::kQK_K;

inline float h2f(uint16_t h) { return _cvtsh_ss(h); }
inline uint16_t f2h(float f) { return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT)); }

inline float hsum_ps(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline int hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

inline __m256i loadu256(const void *p) { return _mm256_loadu_si256(static_cast<const __m256i *>(p)); }
inline __m128i loadu128(const void *p) { return _mm_loadu_si128(static_cast<const __m128i *>(p)); }

// 16 bytes of nibbles -> 32 bytes: low nibbles (elements 0..15) then high nibbles (16..31).
inline __m256i nibbles_32(const uint8_t *qs) {
    const __m128i q = loadu128(qs);
    const __m128i m = _mm_set1_epi8(0x0F);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), m), _mm_and_si128(q, m));
}

// 32 bits -> 32 bytes, byte j = 0xFF if bit j is set.
inline __m256i bits_to_bytes(uint32_t bits) {
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32(static_cast<int>(bits)),
        _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL, 0x0101010101010101LL, 0));
    const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
    return _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
}

inline uint32_t load_u32(const uint8_t *p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Signed products of 32 int8 pairs summed into 8 int32 (x, y in [-127, 127]; |x| = 128 too).
inline __m256i dot_s8_s8(__m256i x, __m256i y) {
    const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
    return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}

// Unsigned levels (u <= 63) times signed activations, 32 pairs into 8 int32.
inline __m256i dot_u8_s8(__m256i u, __m256i y) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, y), _mm256_set1_epi16(1));
}

// ---- activation quantizers (AVX2) ----------------------------------------------------------

// Q8_0 with the reference's choices (d = amax/127, fp16 d); rounding ties go to even instead of
// away from zero (differs from the scalar reference by at most 1 on exact .5 ties).
inline void quantize_q8_0_avx2(const float *x, void *dst, int64_t k) {
    BlockQ8_0 *y = static_cast<BlockQ8_0 *>(dst);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < k / kQK32; ++b, x += kQK32) {
        __m256 v[4];
        __m256 amax = _mm256_setzero_ps();
        for (int i = 0; i < 4; ++i) {
            v[i] = _mm256_loadu_ps(x + 8 * i);
            amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign, v[i]));
        }
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        const float d = _mm_cvtss_f32(m) / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = f2h(d);
        const __m256 vid = _mm256_set1_ps(id);
        __m256i q[4];
        for (int i = 0; i < 4; ++i)
            q[i] = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v[i], vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        // packs interleave 128-bit lanes; the final permute restores element order.
        const __m256i p01 = _mm256_packs_epi32(q[0], q[1]);
        const __m256i p23 = _mm256_packs_epi32(q[2], q[3]);
        __m256i p = _mm256_packs_epi16(p01, p23);
        p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(y[b].qs), p);
    }
}

// Q8_K exactly as the reference (the magic-number rounding of nearest_int is round-to-nearest-
// even, which is what cvtps does).
inline void quantize_q8_K_avx2(const float *x, void *dst, int64_t k) {
    BlockQ8_K *y = static_cast<BlockQ8_K *>(dst);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < k / kQK_K; ++b, x += kQK_K) {
        __m256 amax = _mm256_setzero_ps();
        for (int i = 0; i < kQK_K; i += 8) amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + i)));
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        const float a = _mm_cvtss_f32(m);
        if (a == 0.0f) {
            std::memset(&y[b], 0, sizeof y[b]);
            continue;
        }
        // The reference takes the sign of the first element of largest magnitude.
        float max = 0.0f;
        for (int i = 0; i < kQK_K; ++i) {
            if (x[i] == a || x[i] == -a) { max = x[i]; break; }
        }
        const float iscale = -127.0f / max;
        const __m256 vis = _mm256_set1_ps(iscale);
        const __m256i lim = _mm256_set1_epi32(127);
        for (int i = 0; i < kQK_K; i += 32) {
            __m256i q[4];
            for (int j = 0; j < 4; ++j)
                q[j] = _mm256_min_epi32(lim, _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + i + 8 * j), vis)));
            const __m256i p01 = _mm256_packs_epi32(q[0], q[1]);
            const __m256i p23 = _mm256_packs_epi32(q[2], q[3]);
            __m256i p = _mm256_packs_epi16(p01, p23);
            p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256(reinterpret_cast<__m256i *>(y[b].qs + i), p);
            // bsums of the two 16-element groups of these 32.
            const __m256i s16 = _mm256_maddubs_epi16(_mm256_set1_epi8(1), p);  // pairwise sums
            const __m256i s32 = _mm256_madd_epi16(s16, _mm256_set1_epi16(1));  // 4-sums, 8 lanes
            __m128i lo = _mm256_castsi256_si128(s32), hi = _mm256_extracti128_si256(s32, 1);
            lo = _mm_hadd_epi32(lo, hi);   // [s0+s1, s2+s3, s4+s5, s6+s7]
            lo = _mm_hadd_epi32(lo, lo);   // [group0, group1, ...]
            y[b].bsums[i / 16] = static_cast<int16_t>(_mm_cvtsi128_si32(lo));
            y[b].bsums[i / 16 + 1] = static_cast<int16_t>(_mm_extract_epi32(lo, 1));
        }
        y[b].d = 1.0f / iscale;
    }
}

inline size_t q8_0_bytes(int64_t k) { return static_cast<size_t>(k / kQK32) * sizeof(BlockQ8_0); }
inline size_t q8_K_bytes(int64_t k) { return static_cast<size_t>(k / kQK_K) * sizeof(BlockQ8_K); }
inline size_t f32_bytes(int64_t k) { return static_cast<size_t>(k) * sizeof(float); }
inline void f32_copy(const float *x, void *dst, int64_t k) { std::memcpy(dst, x, static_cast<size_t>(k) * sizeof(float)); }

// ---- K-format levels, 32 at a time in element order -----------------------------------------
// Each unpacker holds what it preloads from a block and returns the unsigned levels of elements
// 32v .. 32v+31.

struct Q2KLevels {
    using Block = BlockQ2_K;
    __m256i q[2];
    explicit Q2KLevels(const BlockQ2_K &b) : q{loadu256(b.qs), loadu256(b.qs + 32)} {}
    __m256i get(int v) const {
        return _mm256_and_si256(_mm256_srli_epi16(q[v / 4], 2 * (v % 4)), _mm256_set1_epi8(3));
    }
};

struct Q3KLevels {
    using Block = BlockQ3_K;
    __m256i q[2];
    __m256i hm;
    explicit Q3KLevels(const BlockQ3_K &b) : q{loadu256(b.qs), loadu256(b.qs + 32)}, hm(loadu256(b.hmask)) {}
    // 0..7 (the stored value; the level is this minus 4).
    __m256i get(int v) const {
        const __m256i low = _mm256_and_si256(_mm256_srli_epi16(q[v / 4], 2 * (v % 4)), _mm256_set1_epi8(3));
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(hm, v), _mm256_set1_epi8(1));
        return _mm256_or_si256(low, _mm256_slli_epi16(high, 2));
    }
};

struct Q4KLevels {
    using Block = BlockQ4_K;
    const uint8_t *qs;
    explicit Q4KLevels(const BlockQ4_K &b) : qs(b.qs) {}
    __m256i get(int v) const {
        const __m256i q = loadu256(qs + 32 * (v / 2));
        return _mm256_and_si256(v % 2 ? _mm256_srli_epi16(q, 4) : q, _mm256_set1_epi8(0x0F));
    }
};

struct Q5KLevels {
    using Block = BlockQ5_K;
    const uint8_t *qs;
    __m256i qh;
    explicit Q5KLevels(const BlockQ5_K &b) : qs(b.qs), qh(loadu256(b.qh)) {}
    __m256i get(int v) const {
        const __m256i q = loadu256(qs + 32 * (v / 2));
        const __m256i low = _mm256_and_si256(v % 2 ? _mm256_srli_epi16(q, 4) : q, _mm256_set1_epi8(0x0F));
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(qh, v), _mm256_set1_epi8(1));
        return _mm256_or_si256(low, _mm256_slli_epi16(high, 4));
    }
};

struct Q6KLevels {
    using Block = BlockQ6_K;
    const uint8_t *ql;
    __m256i qh[2];
    explicit Q6KLevels(const BlockQ6_K &b) : ql(b.ql), qh{loadu256(b.qh), loadu256(b.qh + 32)} {}
    // 0..63 (the level is this minus 32).
    __m256i get(int v) const {
        const int h = v / 4, s = v % 4;
        const __m256i l = loadu256(ql + 64 * h + 32 * (s & 1));
        const __m256i low = _mm256_and_si256(s >= 2 ? _mm256_srli_epi16(l, 4) : l, _mm256_set1_epi8(0x0F));
        const __m256i high = _mm256_and_si256(_mm256_srli_epi16(qh[h], 2 * s), _mm256_set1_epi8(3));
        return _mm256_or_si256(low, _mm256_slli_epi16(high, 4));
    }
};

// Q4_K/Q5_K scales and mins (6 bits each) of the 8 sub-blocks, unpacked four at a time with
// 32-bit word operations (bytes 0-3, 4-7, 8-11 of the packed field are words w0, w1, w2):
//   sc[0..3] = w0 & 63             sc[4..7] = (w2 & 15) | (top 2 bits of w0's bytes) << 4
//   mn[0..3] = w1 & 63             mn[4..7] = (w2 >> 4) | (top 2 bits of w1's bytes) << 4
inline void k_scales_mins(const uint8_t *q, uint8_t sc[8], uint8_t mn[8]) {
    uint32_t w[3];
    std::memcpy(w, q, sizeof w);
    const uint32_t low6 = 0x3f3f3f3fu, low4 = 0x0f0f0f0fu, low2 = 0x03030303u;
    const uint32_t s[2] = {w[0] & low6, (w[2] & low4) | (((w[0] >> 6) & low2) << 4)};
    const uint32_t m[2] = {w[1] & low6, ((w[2] >> 4) & low4) | (((w[1] >> 6) & low2) << 4)};
    std::memcpy(sc, s, 8);
    std::memcpy(mn, m, 8);
}

// sum_j mn[j] * (bsums[2j] + bsums[2j+1]): the min term of Q4_K/Q5_K.
inline int k_min_sum(const int16_t *bsums, const uint8_t mn[8]) {
    uint64_t m8;
    std::memcpy(&m8, mn, 8);
    const __m128i m = _mm_cvtsi64_si128(static_cast<long long>(m8));
    const __m256i dup = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m, m));  // m0 m0 m1 m1 ...
    return hsum_epi32(_mm256_madd_epi16(loadu256(bsums), dup));
}

// Q3_K's 16 scales minus 32.
inline void q3_K_scales(const uint8_t *p, int8_t out[16]) {
    for (int i = 0; i < 16; ++i) {
        const int low = i < 8 ? (p[i] & 0xF) : (p[i - 8] >> 4);
        const int high = (p[8 + i % 4] >> (2 * (i / 4))) & 3;
        out[i] = static_cast<int8_t>((low | (high << 4)) - 32);
    }
}

// sum_j s[j] * bsums[j] over the 16 Q8_K group sums.
inline int bsum_dot16(const int16_t *bsums, const int16_t *s) {
    const __m256i p = _mm256_madd_epi16(loadu256(bsums), loadu256(s));
    return hsum_epi32(p);
}

}  // namespace
}  // namespace lamina::cpu::detail
