// NEON kernel bodies (aarch64), instantiated twice: kernels_neon.cpp with a baseline policy
// (widening multiplies, armv8-a) and kernels_dotprod_neon.cpp with SDOT. A policy provides
//   int32x4_t dot16(int32x4_t acc, int8x16_t a, int8x16_t b)   acc + the 16 products, spread
//                                                               over the 4 lanes
// Levels are unpacked to signed int8 (offsets already subtracted), 16 elements at a time in
// element order, so every sub-block scale applies to whole 16-element groups.
// Internal linkage throughout, like the x86 kernels: each ISA file keeps its own copy.
#pragma once

#if !defined(__aarch64__)
#error "neon_kernels.h is for aarch64"
#endif

#include <arm_neon.h>

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

inline float h2f(uint16_t h) {
    return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}
inline uint16_t f2h(float f) {
    return vget_lane_u16(vreinterpret_u16_f16(vcvt_f16_f32(vdupq_n_f32(f))), 0);
}

// ---- float weights ---------------------------------------------------------------------------

struct NeonF32 {
    static float32x4_t load4(const void *row, int64_t i) { return vld1q_f32(static_cast<const float *>(row) + i); }
    static float load1(const void *row, int64_t i) { return static_cast<const float *>(row)[i]; }
};
struct NeonF16 {
    static float32x4_t load4(const void *row, int64_t i) {
        return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(static_cast<const uint16_t *>(row) + i)));
    }
    static float load1(const void *row, int64_t i) { return h2f(static_cast<const uint16_t *>(row)[i]); }
};
struct NeonBF16 {
    static float32x4_t load4(const void *row, int64_t i) {
        return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(static_cast<const uint16_t *>(row) + i), 16));
    }
    static float load1(const void *row, int64_t i) {
        const uint32_t bits = static_cast<uint32_t>(static_cast<const uint16_t *>(row)[i]) << 16;
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
    }
};

template <typename Load>
void neon_float_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
    const float *x = static_cast<const float *>(act);
    for (int64_t r = 0; r < n_rows; ++r) {
        const void *row = static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride;
        float32x4_t acc[4] = {vdupq_n_f32(0), vdupq_n_f32(0), vdupq_n_f32(0), vdupq_n_f32(0)};
        int64_t i = 0;
        for (; i + 16 <= k; i += 16)
            for (int u = 0; u < 4; ++u) acc[u] = vfmaq_f32(acc[u], Load::load4(row, i + 4 * u), vld1q_f32(x + i + 4 * u));
        for (; i + 4 <= k; i += 4) acc[0] = vfmaq_f32(acc[0], Load::load4(row, i), vld1q_f32(x + i));
        float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3])));
        for (; i < k; ++i) sum += Load::load1(row, i) * x[i];
        out[r] = sum;
    }
}

inline size_t f32_bytes(int64_t k) { return static_cast<size_t>(k) * sizeof(float); }
inline void f32_copy(const float *x, void *dst, int64_t k) { std::memcpy(dst, x, static_cast<size_t>(k) * sizeof(float)); }
inline size_t q8_0_bytes(int64_t k) { return static_cast<size_t>(k / kQK32) * sizeof(BlockQ8_0); }
inline size_t q8_K_bytes(int64_t k) { return static_cast<size_t>(k / kQK_K) * sizeof(BlockQ8_K); }

// ---- activation quantizers -------------------------------------------------------------------

// Q8_0 exactly as the reference: vcvtaq rounds ties away from zero like std::round.
inline void neon_quantize_q8_0(const float *x, void *dst, int64_t k) {
    BlockQ8_0 *y = static_cast<BlockQ8_0 *>(dst);
    for (int64_t b = 0; b < k / kQK32; ++b, x += kQK32) {
        float32x4_t v[8];
        float32x4_t amax = vdupq_n_f32(0);
        for (int i = 0; i < 8; ++i) {
            v[i] = vld1q_f32(x + 4 * i);
            amax = vmaxq_f32(amax, vabsq_f32(v[i]));
        }
        const float d = vmaxvq_f32(amax) / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = f2h(d);
        for (int i = 0; i < 8; i += 2) {
            const int32x4_t a = vcvtaq_s32_f32(vmulq_n_f32(v[i], id));
            const int32x4_t c = vcvtaq_s32_f32(vmulq_n_f32(v[i + 1], id));
            const int16x8_t s16 = vcombine_s16(vqmovn_s32(a), vqmovn_s32(c));
            vst1_s8(y[b].qs + 4 * i, vqmovn_s16(s16));
        }
    }
}

// Q8_K exactly as the reference (vcvtnq: nearest, ties to even, as nearest_int).
inline void neon_quantize_q8_K(const float *x, void *dst, int64_t k) {
    BlockQ8_K *y = static_cast<BlockQ8_K *>(dst);
    for (int64_t b = 0; b < k / kQK_K; ++b, x += kQK_K) {
        float32x4_t amax = vdupq_n_f32(0);
        for (int i = 0; i < kQK_K; i += 4) amax = vmaxq_f32(amax, vabsq_f32(vld1q_f32(x + i)));
        const float a = vmaxvq_f32(amax);
        if (a == 0.0f) {
            std::memset(&y[b], 0, sizeof y[b]);
            continue;
        }
        float max = 0.0f;
        for (int i = 0; i < kQK_K; ++i) {
            if (x[i] == a || x[i] == -a) { max = x[i]; break; }
        }
        const float iscale = -127.0f / max;
        const int32x4_t lim = vdupq_n_s32(127);
        for (int i = 0; i < kQK_K; i += 16) {
            int16x8_t h[2];
            for (int j = 0; j < 2; ++j) {
                const int32x4_t p = vminq_s32(lim, vcvtnq_s32_f32(vmulq_n_f32(vld1q_f32(x + i + 8 * j), iscale)));
                const int32x4_t q = vminq_s32(lim, vcvtnq_s32_f32(vmulq_n_f32(vld1q_f32(x + i + 8 * j + 4), iscale)));
                h[j] = vcombine_s16(vqmovn_s32(p), vqmovn_s32(q));
            }
            const int8x16_t q8 = vcombine_s8(vqmovn_s16(h[0]), vqmovn_s16(h[1]));
            vst1q_s8(y[b].qs + i, q8);
            y[b].bsums[i / 16] = static_cast<int16_t>(vaddlvq_s8(q8));
        }
        y[b].d = 1.0f / iscale;
    }
}

// ---- unpacking -------------------------------------------------------------------------------

// 16 bytes, byte j = 0xFF if bit j of the 16-bit value is set.
inline uint8x16_t bits16_to_bytes(uint8_t lo, uint8_t hi) {
    static const uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    return vtstq_u8(vcombine_u8(vdup_n_u8(lo), vdup_n_u8(hi)), vld1q_u8(kBit));
}

inline int8x16_t s8(uint8x16_t v) { return vreinterpretq_s8_u8(v); }

// ---- kernels for one policy -------------------------------------------------------------------

// Weight rows x activation rows, up to 4 activation rows per pass over a weight row, for any
// format that supplies prep(block) -> W and Kern::apply(W, act block) -> float.
template <typename Block, typename ActBlock, typename W, void (*Prep)(const Block &, W &),
          float (*Apply)(const W &, const ActBlock &), int T>
void neon_tile(int64_t nb, const Block *x, const char *act, size_t act_stride, float *out, size_t out_stride) {
    float sum[T];
    for (int t = 0; t < T; ++t) sum[t] = 0.0f;
    W w;
    for (int64_t b = 0; b < nb; ++b) {
        Prep(x[b], w);
        for (int t = 0; t < T; ++t) sum[t] += Apply(w, reinterpret_cast<const ActBlock *>(act + t * act_stride)[b]);
    }
    for (int t = 0; t < T; ++t) out[t * out_stride] = sum[t];
}

template <typename Block, typename ActBlock, typename W, void (*Prep)(const Block &, W &),
          float (*Apply)(const W &, const ActBlock &), int kBlock>
void neon_batch(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, size_t act_stride,
                int64_t n_act, float *out, size_t out_stride) {
    const int64_t nb = k / kBlock;
    for (int64_t r = 0; r < n_rows; ++r) {
        const Block *x = reinterpret_cast<const Block *>(static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride);
        for (int64_t t0 = 0; t0 < n_act; t0 += 4) {
            const char *a = static_cast<const char *>(act) + static_cast<size_t>(t0) * act_stride;
            float *o = out + static_cast<size_t>(t0) * out_stride + r;
            switch (n_act - t0 < 4 ? n_act - t0 : 4) {
                case 1: neon_tile<Block, ActBlock, W, Prep, Apply, 1>(nb, x, a, act_stride, o, out_stride); break;
                case 2: neon_tile<Block, ActBlock, W, Prep, Apply, 2>(nb, x, a, act_stride, o, out_stride); break;
                case 3: neon_tile<Block, ActBlock, W, Prep, Apply, 3>(nb, x, a, act_stride, o, out_stride); break;
                default: neon_tile<Block, ActBlock, W, Prep, Apply, 4>(nb, x, a, act_stride, o, out_stride); break;
            }
        }
    }
}

// 32-element formats: signed levels (offsets subtracted) and scales; the min formats add
// m * d_a * sum(a). Per block one exact int32, then the reference's float terms.
struct W32 {
    int8x16_t l0, l1;
    float d, m;
};
// K formats: 16 groups of 16 signed levels, each group's scale and min (0 for Q3_K/Q6_K).
struct WK {
    int8x16_t g[16];
    int sc[16], mn[16];
    float d, dmin;
};

inline void prep_q4_0(const BlockQ4_0 &x, W32 &w) {
    const uint8x16_t q = vld1q_u8(x.qs);
    w.l0 = vsubq_s8(s8(vandq_u8(q, vdupq_n_u8(0x0F))), vdupq_n_s8(8));
    w.l1 = vsubq_s8(s8(vshrq_n_u8(q, 4)), vdupq_n_s8(8));
    w.d = h2f(x.d);
    w.m = 0.0f;
}
inline void prep_q4_1(const BlockQ4_1 &x, W32 &w) {
    const uint8x16_t q = vld1q_u8(x.qs);
    w.l0 = s8(vandq_u8(q, vdupq_n_u8(0x0F)));
    w.l1 = s8(vshrq_n_u8(q, 4));
    w.d = h2f(x.d);
    w.m = h2f(x.m);
}
inline void q5_levels(const uint8_t *qs, const uint8_t *qh, uint8x16_t *l0, uint8x16_t *l1) {
    const uint8x16_t q = vld1q_u8(qs);
    const uint8x16_t h16 = vdupq_n_u8(0x10);
    *l0 = vorrq_u8(vandq_u8(q, vdupq_n_u8(0x0F)), vandq_u8(bits16_to_bytes(qh[0], qh[1]), h16));
    *l1 = vorrq_u8(vshrq_n_u8(q, 4), vandq_u8(bits16_to_bytes(qh[2], qh[3]), h16));
}
inline void prep_q5_0(const BlockQ5_0 &x, W32 &w) {
    uint8x16_t l0, l1;
    q5_levels(x.qs, x.qh, &l0, &l1);
    w.l0 = vsubq_s8(s8(l0), vdupq_n_s8(16));
    w.l1 = vsubq_s8(s8(l1), vdupq_n_s8(16));
    w.d = h2f(x.d);
    w.m = 0.0f;
}
inline void prep_q5_1(const BlockQ5_1 &x, W32 &w) {
    uint8x16_t l0, l1;
    q5_levels(x.qs, x.qh, &l0, &l1);
    w.l0 = s8(l0);
    w.l1 = s8(l1);
    w.d = h2f(x.d);
    w.m = h2f(x.m);
}
inline void prep_q8_0(const BlockQ8_0 &x, W32 &w) {
    w.l0 = vld1q_s8(x.qs);
    w.l1 = vld1q_s8(x.qs + 16);
    w.d = h2f(x.d);
    w.m = 0.0f;
}

// K formats: group g covers elements 16g .. 16g+15.
inline int8x16_t q2_group(const BlockQ2_K &x, int g) {
    const int h = g / 8, s = (g % 8) / 2, half = g % 2;
    const uint8x16_t q = vld1q_u8(x.qs + 32 * h + 16 * half);
    return s8(vandq_u8(vshlq_u8(q, vdupq_n_s8(static_cast<int8_t>(-2 * s))), vdupq_n_u8(3)));
}
inline int8x16_t q3_group(const BlockQ3_K &x, int g) {
    const int h = g / 8, s = (g % 8) / 2, half = g % 2;
    const uint8x16_t hm = vld1q_u8(x.hmask + 16 * half);
    const uint8x16_t hbit = vandq_u8(vshlq_u8(hm, vdupq_n_s8(static_cast<int8_t>(-(g / 2)))), vdupq_n_u8(1));
    const uint8x16_t q = vld1q_u8(x.qs + 32 * h + 16 * half);
    const uint8x16_t l2 = vandq_u8(vshlq_u8(q, vdupq_n_s8(static_cast<int8_t>(-2 * s))), vdupq_n_u8(3));
    return vsubq_s8(s8(vorrq_u8(l2, vshlq_n_u8(hbit, 2))), vdupq_n_s8(4));
}
inline uint8x16_t q4k_nibbles(const uint8_t *qs, int g) {
    const int c = g / 4, r = g % 4;
    const uint8x16_t q = vld1q_u8(qs + 32 * c + 16 * (r % 2));
    return r < 2 ? vandq_u8(q, vdupq_n_u8(0x0F)) : vshrq_n_u8(q, 4);
}
inline int8x16_t q5_group(const BlockQ5_K &x, int g) {
    const uint8x16_t qh = vld1q_u8(x.qh + 16 * (g % 2));
    const uint8x16_t hbit = vandq_u8(vshlq_u8(qh, vdupq_n_s8(static_cast<int8_t>(-(g / 2)))), vdupq_n_u8(1));
    return s8(vorrq_u8(q4k_nibbles(x.qs, g), vshlq_n_u8(hbit, 4)));
}
inline int8x16_t q6_group(const BlockQ6_K &x, int g) {
    const int h = g / 8, s = (g % 8) / 2, l = 16 * (g % 2);
    const uint8x16_t ql = vld1q_u8(x.ql + 64 * h + l + 32 * (s & 1));
    const uint8x16_t low = s < 2 ? vandq_u8(ql, vdupq_n_u8(0x0F)) : vshrq_n_u8(ql, 4);
    const uint8x16_t qh = vld1q_u8(x.qh + 32 * h + l);
    const uint8x16_t high = vandq_u8(vshlq_u8(qh, vdupq_n_s8(static_cast<int8_t>(-2 * s))), vdupq_n_u8(3));
    return vsubq_s8(s8(vorrq_u8(low, vshlq_n_u8(high, 4))), vdupq_n_s8(32));
}

inline void prep_q2_K(const BlockQ2_K &x, WK &w) {
    for (int g = 0; g < 16; ++g) {
        w.g[g] = q2_group(x, g);
        w.sc[g] = x.scales[g] & 0xF;
        w.mn[g] = x.scales[g] >> 4;
    }
    w.d = h2f(x.d);
    w.dmin = h2f(x.dmin);
}
inline void prep_q3_K(const BlockQ3_K &x, WK &w) {
    for (int g = 0; g < 16; ++g) {
        w.g[g] = q3_group(x, g);
        const int low = g < 8 ? (x.scales[g] & 0xF) : (x.scales[g - 8] >> 4);
        const int high = (x.scales[8 + g % 4] >> (2 * (g / 4))) & 3;
        w.sc[g] = (low | (high << 4)) - 32;
        w.mn[g] = 0;
    }
    w.d = h2f(x.d);
    w.dmin = 0.0f;
}
// Q4_K/Q5_K: sub-block j (32 wide) is groups 2j and 2j+1.
inline void scales_mins_k(const uint8_t *q, WK &w) {
    for (int j = 0; j < 4; ++j) {
        w.sc[2 * j] = w.sc[2 * j + 1] = q[j] & 63;
        w.mn[2 * j] = w.mn[2 * j + 1] = q[j + 4] & 63;
        w.sc[2 * j + 8] = w.sc[2 * j + 9] = (q[j + 8] & 0xF) | ((q[j] >> 6) << 4);
        w.mn[2 * j + 8] = w.mn[2 * j + 9] = (q[j + 8] >> 4) | ((q[j + 4] >> 6) << 4);
    }
}
inline void prep_q4_K(const BlockQ4_K &x, WK &w) {
    for (int g = 0; g < 16; ++g) w.g[g] = s8(q4k_nibbles(x.qs, g));
    scales_mins_k(x.scales, w);
    w.d = h2f(x.d);
    w.dmin = h2f(x.dmin);
}
inline void prep_q5_K(const BlockQ5_K &x, WK &w) {
    for (int g = 0; g < 16; ++g) w.g[g] = q5_group(x, g);
    scales_mins_k(x.scales, w);
    w.d = h2f(x.d);
    w.dmin = h2f(x.dmin);
}
inline void prep_q6_K(const BlockQ6_K &x, WK &w) {
    for (int g = 0; g < 16; ++g) {
        w.g[g] = q6_group(x, g);
        w.sc[g] = x.scales[g];
        w.mn[g] = 0;
    }
    w.d = h2f(x.d);
    w.dmin = 0.0f;
}

template <typename P>
struct NeonKernels {
    static float apply32(const W32 &w, const BlockQ8_0 &a) {
        const int8x16_t a0 = vld1q_s8(a.qs), a1 = vld1q_s8(a.qs + 16);
        const int d = vaddvq_s32(P::dot16(P::dot16(vdupq_n_s32(0), w.l0, a0), w.l1, a1));
        const float da = h2f(a.d);
        const float v = static_cast<float>(d) * (w.d * da);
        if (w.m == 0.0f) return v;
        return v + static_cast<float>(vaddlvq_s8(a0) + vaddlvq_s8(a1)) * (w.m * da);
    }
    // Exact integer sums; then the reference's float expression (dmin = 0 leaves it unchanged).
    static float applyK(const WK &w, const BlockQ8_K &a) {
        int32x4_t acc = vdupq_n_s32(0);
        for (int g = 0; g < 16; ++g)
            acc = vmlaq_n_s32(acc, P::dot16(vdupq_n_s32(0), w.g[g], vld1q_s8(a.qs + 16 * g)), w.sc[g]);
        int msum = 0;
        for (int g = 0; g < 16; ++g) msum += a.bsums[g] * w.mn[g];
        const float v = a.d * w.d * static_cast<float>(vaddvq_s32(acc));
        if (w.dmin == 0.0f) return v;
        return v - a.d * w.dmin * static_cast<float>(msum);
    }

    template <typename Block, void (*Prep)(const Block &, W32 &)>
    static void rows32(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
        neon_batch<Block, BlockQ8_0, W32, Prep, apply32, kQK32>(k, w, w_stride, n_rows, act, 0, 1, out, 1);
    }
    template <typename Block, void (*Prep)(const Block &, WK &)>
    static void rowsK(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
        neon_batch<Block, BlockQ8_K, WK, Prep, applyK, kQK_K>(k, w, w_stride, n_rows, act, 0, 1, out, 1);
    }
    template <typename Block, void (*Prep)(const Block &, W32 &)>
    static constexpr DotKernel k32() {
        return {GgmlType::Q8_0, q8_0_bytes, neon_quantize_q8_0, rows32<Block, Prep>,
                neon_batch<Block, BlockQ8_0, W32, Prep, apply32, kQK32>};
    }
    template <typename Block, void (*Prep)(const Block &, WK &)>
    static constexpr DotKernel kK() {
        return {GgmlType::Q8_K, q8_K_bytes, neon_quantize_q8_K, rowsK<Block, Prep>,
                neon_batch<Block, BlockQ8_K, WK, Prep, applyK, kQK_K>};
    }

    static constexpr DotKernel kq4_0 = k32<BlockQ4_0, prep_q4_0>();
    static constexpr DotKernel kq4_1 = k32<BlockQ4_1, prep_q4_1>();
    static constexpr DotKernel kq5_0 = k32<BlockQ5_0, prep_q5_0>();
    static constexpr DotKernel kq5_1 = k32<BlockQ5_1, prep_q5_1>();
    static constexpr DotKernel kq8_0 = k32<BlockQ8_0, prep_q8_0>();
    static constexpr DotKernel kq2_K = kK<BlockQ2_K, prep_q2_K>();
    static constexpr DotKernel kq3_K = kK<BlockQ3_K, prep_q3_K>();
    static constexpr DotKernel kq4_K = kK<BlockQ4_K, prep_q4_K>();
    static constexpr DotKernel kq5_K = kK<BlockQ5_K, prep_q5_K>();
    static constexpr DotKernel kq6_K = kK<BlockQ6_K, prep_q6_K>();

    static const DotKernel *quant(GgmlType type) {
        switch (type) {
            case GgmlType::Q4_0: return &kq4_0;
            case GgmlType::Q4_1: return &kq4_1;
            case GgmlType::Q5_0: return &kq5_0;
            case GgmlType::Q5_1: return &kq5_1;
            case GgmlType::Q8_0: return &kq8_0;
            case GgmlType::Q2_K: return &kq2_K;
            case GgmlType::Q3_K: return &kq3_K;
            case GgmlType::Q4_K: return &kq4_K;
            case GgmlType::Q5_K: return &kq5_K;
            case GgmlType::Q6_K: return &kq6_K;
            default: return nullptr;
        }
    }
};

}  // namespace
}  // namespace lamina::cpu::detail
