// Interleaved-layout kernels for ARMv8.2 dotprod. A q register holds 4 consecutive weights of 4
// rows, so a 16-row group is computed in quarters of 4 rows; SDOT's lane form multiplies them
// with 4 activation bytes picked from a register (no broadcast needed). Only used when the CPU
// reports dotprod; plain NEON keeps the file layout.
#include <arm_neon.h>

#include <cstring>

#include "cpu/interleaved_gemm.h"
#include "cpu/interleaved_tables.h"
#include "quant/interleaved.h"

#if !defined(__ARM_FEATURE_DOTPROD)
#error "interleaved_dotprod_neon.cpp needs +dotprod (given to *_dotprod_neon.cpp by cmake/LaminaIsaSources.cmake)"
#endif

namespace lamina::cpu::detail {
namespace {

using quant::ActBlockQ8x32;
using quant::BlockQ4_0x16;
using quant::BlockQ4_Kx16;
using quant::BlockQ8_0x16;

constexpr int kTile = 4;     // activation rows per tile
constexpr int kQuarter = 4;  // rows per q register

inline float32x4_t load4_f16(const uint16_t *h) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(h))); }

inline float32x4_t load4_i8(const int8_t *p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return vcvtq_f32_s32(vmovl_s16(vget_low_s16(vmovl_s8(vreinterpret_s8_u32(vdup_n_u32(v))))));
}

inline float32x4_t load4_u8(const uint8_t *p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return vcvtq_f32_u32(vmovl_u16(vget_low_u16(vmovl_u8(vcreate_u8(v)))));
}

// Sums over 4 k-groups: w[i] (4 rows x 4 bytes) with activation bytes 4i..4i+3 of a.
inline int32x4_t dot4(int32x4_t acc, const int8x16_t *w, int8x16_t a) {
    acc = vdotq_laneq_s32(acc, w[0], a, 0);
    acc = vdotq_laneq_s32(acc, w[1], a, 1);
    acc = vdotq_laneq_s32(acc, w[2], a, 2);
    return vdotq_laneq_s32(acc, w[3], a, 3);
}

// The same over 8 k-groups, activation bytes 0..15 in a0 and 16..31 in a1.
inline int32x4_t dot8(int32x4_t acc, const int8x16_t *w, int8x16_t a0, int8x16_t a1) {
    return dot4(dot4(acc, w, a0), w + 4, a1);
}

size_t act_bytes(int64_t k) { return static_cast<size_t>(k / quant::kQK32) * sizeof(ActBlockQ8x32); }
void convert_act(const float *x, void *dst, int64_t k) {
    quant::quantize_act_q8x32_ref(x, static_cast<ActBlockQ8x32 *>(dst), k);
}
void convert_act_k(const float *x, void *dst, int64_t k) {
    quant::quantize_act_q8x32_k_ref(x, static_cast<ActBlockQ8x32 *>(dst), k);
}

// Q4_0 and Q8_0: one block is 8 registers of signed quants per quarter (k-group i pairs with
// activation bytes 4i..4i+3); a bias left in them (Q4_0's 8) starts each sum at -bias * sum(a).
struct Q4_0Unpack {
    using Block = BlockQ4_0x16;
    static constexpr int kBias = 8;
    // Nibbles 0..15 are valid signed bytes, so SDOT takes them as they are.
    static void unpack(const Block &blk, int j, int8x16_t *q) {
        const uint8x16_t low4 = vdupq_n_u8(0x0F);
        for (int i = 0; i < 4; ++i) {
            const uint8x16_t p = vld1q_u8(blk.qs + 64 * i + 16 * j);
            q[i] = vreinterpretq_s8_u8(vandq_u8(p, low4));
            q[4 + i] = vreinterpretq_s8_u8(vshrq_n_u8(p, 4));
        }
    }
};

struct Q8_0Unpack {
    using Block = BlockQ8_0x16;
    static constexpr int kBias = 0;
    // Back to signed: (q + 128) ^ 0x80 = q.
    static void unpack(const Block &blk, int j, int8x16_t *q) {
        const uint8x16_t offset = vdupq_n_u8(0x80);
        for (int i = 0; i < 8; ++i) q[i] = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(blk.qs + 64 * i + 16 * j), offset));
    }
};

template <class F>
struct Q32 {
    template <int NT>
    struct Tile {
        static void run(int64_t nb, const typename F::Block *w, const void *act, size_t act_stride, float *out,
                        size_t out_stride) {
            for (int j = 0; j < 4; ++j) {
                float32x4_t acc[NT];
                for (int t = 0; t < NT; ++t) acc[t] = vdupq_n_f32(0.0f);
                for (int64_t b = 0; b < nb; ++b) {
                    const float32x4_t dw = load4_f16(w[b].d + kQuarter * j);
                    int8x16_t q[8];
                    F::unpack(w[b], j, q);
                    for (int t = 0; t < NT; ++t) {
                        const ActBlockQ8x32 &x = act_row(act, act_stride, t)[b];
                        const int32x4_t s = dot8(vdupq_n_s32(-F::kBias * x.sum), q, vld1q_s8(x.q), vld1q_s8(x.q + 16));
                        acc[t] = vfmaq_f32(acc[t], vcvtq_f32_s32(s), vmulq_n_f32(dw, x.d));
                    }
                }
                for (int t = 0; t < NT; ++t) vst1q_f32(out + t * out_stride + kQuarter * j, acc[t]);
            }
        }
    };
};

// Q4_K and Q5_K, sub-block s of quarter j: 4 low bits from qs (low nibble for even s, high for
// odd), plus Q5_K's 5th bit from qh (bit s). Values up to 31 are valid signed bytes for SDOT.
inline void unpack_low4(const uint8_t *qs, int s, int j, int8x16_t *q) {
    const uint8x16_t low4 = vdupq_n_u8(0x0F);
    for (int i = 0; i < 8; ++i) {
        const uint8x16_t p = vld1q_u8(qs + 512 * (s / 2) + 64 * i + 16 * j);
        q[i] = vreinterpretq_s8_u8(s % 2 ? vshrq_n_u8(p, 4) : vandq_u8(p, low4));
    }
}

struct Q4_KUnpack {
    using Block = BlockQ4_Kx16;
    static void unpack(const Block &blk, int s, int j, int8x16_t *q) { unpack_low4(blk.qs, s, j, q); }
};

struct Q5_KUnpack {
    using Block = quant::BlockQ5_Kx16;
    static void unpack(const Block &blk, int s, int j, int8x16_t *q) {
        unpack_low4(blk.qs, s, j, q);
        // qh is read beside qs: prefetch the next block (45 lines, 6 a sub-block).
        const char *next = reinterpret_cast<const char *>(&blk + 1);
        for (int l = 0; l < 6; ++l) __builtin_prefetch(next + 64 * (6 * s + l));
        const uint8x16_t one = vdupq_n_u8(1);
        const int8x16_t right = vdupq_n_s8(static_cast<int8_t>(-s));
        for (int i = 0; i < 8; ++i) {
            const uint8x16_t hb = vandq_u8(vshlq_u8(vld1q_u8(blk.qh + 64 * i + 16 * j), right), one);
            q[i] = vreinterpretq_s8_u8(vorrq_u8(vreinterpretq_u8_s8(q[i]), vshlq_n_u8(hb, 4)));
        }
    }
};

template <class F>
struct KScaleMin {
    template <int NT>
    struct Tile {
        static void run(int64_t nb, const typename F::Block *w, const void *act, size_t act_stride, float *out,
                        size_t out_stride) {
            for (int j = 0; j < 4; ++j) {
                float32x4_t acc[NT];
                for (int t = 0; t < NT; ++t) acc[t] = vdupq_n_f32(0.0f);
                for (int64_t b = 0; b < nb; ++b) {
                    const typename F::Block &blk = w[b];
                    const float32x4_t d = load4_f16(blk.d + kQuarter * j), dmin = load4_f16(blk.dmin + kQuarter * j);
                    for (int s = 0; s < 8; ++s) {
                        int8x16_t q[8];
                        F::unpack(blk, s, j, q);
                        const float32x4_t scale = vmulq_f32(d, load4_u8(blk.sc[s] + kQuarter * j));
                        const float32x4_t min = vmulq_f32(dmin, load4_u8(blk.mn[s] + kQuarter * j));
                        for (int t = 0; t < NT; ++t) {
                            const ActBlockQ8x32 &x = act_row(act, act_stride, t)[8 * b + s];
                            const int32x4_t sum = dot8(vdupq_n_s32(0), q, vld1q_s8(x.q), vld1q_s8(x.q + 16));
                            acc[t] = vfmaq_f32(acc[t], vcvtq_f32_s32(sum), vmulq_n_f32(scale, x.d));
                            acc[t] = vfmsq_f32(acc[t], min, vdupq_n_f32(x.d_sum));
                        }
                    }
                }
                for (int t = 0; t < NT; ++t) vst1q_f32(out + t * out_stride + kQuarter * j, acc[t]);
            }
        }
    };
};

template <int NT>
struct Q6_KTile {
    static void run(int64_t nb, const quant::BlockQ6_Kx16 *w, const void *act, size_t act_stride, float *out,
                    size_t out_stride) {
        const uint8x16_t low4 = vdupq_n_u8(0x0F), low2 = vdupq_n_u8(0x03);
        for (int j = 0; j < 4; ++j) {
            float32x4_t acc[NT];
            for (int t = 0; t < NT; ++t) acc[t] = vdupq_n_f32(0.0f);
            for (int64_t b = 0; b < nb; ++b) {
                const quant::BlockQ6_Kx16 &blk = w[b];
                const float32x4_t d = load4_f16(blk.d + kQuarter * j);
                for (int c = 0; c < 8; ++c) {
                    const int h = c / 4, s = c % 4;
                    // ql and qh are read out of order: prefetch the next block (53 lines, 7 a chunk).
                    const char *next = reinterpret_cast<const char *>(&blk + 1);
                    for (int l = 0; l < 7; ++l) __builtin_prefetch(next + 64 * (7 * c + l));
                    int8x16_t q[8];  // 0..63: valid signed bytes for SDOT
                    for (int i = 0; i < 8; ++i) {
                        const uint8x16_t ql = vld1q_u8(blk.ql + 64 * (16 * h + 8 * (s & 1) + i) + 16 * j);
                        const uint8x16_t qh = vld1q_u8(blk.qh + 64 * (8 * h + i) + 16 * j);
                        const uint8x16_t lo = s >= 2 ? vshrq_n_u8(ql, 4) : vandq_u8(ql, low4);
                        const uint8x16_t hi = vshlq_n_u8(vandq_u8(vshlq_u8(qh, vdupq_n_s8(static_cast<int8_t>(-2 * s))), low2), 4);
                        q[i] = vreinterpretq_s8_u8(vorrq_u8(lo, hi));
                    }
                    const float32x4_t scale0 = vmulq_f32(d, load4_i8(&blk.scales[2 * c][kQuarter * j]));
                    const float32x4_t scale1 = vmulq_f32(d, load4_i8(&blk.scales[2 * c + 1][kQuarter * j]));
                    for (int t = 0; t < NT; ++t) {
                        const ActBlockQ8x32 &x = act_row(act, act_stride, t)[8 * b + c];
                        const int8x16_t a0 = vld1q_s8(x.q), a1 = vld1q_s8(x.q + 16);
                        // Each 16-element half has its own scale; Q6_K's offset of 32 starts each sum.
                        const int32x4_t s0 = dot4(vdupq_n_s32(-32 * x.half_sum[0]), q, a0);
                        const int32x4_t s1 = dot4(vdupq_n_s32(-32 * x.half_sum[1]), q + 4, a1);
                        acc[t] = vfmaq_f32(acc[t], vcvtq_f32_s32(s0), vmulq_n_f32(scale0, x.d));
                        acc[t] = vfmaq_f32(acc[t], vcvtq_f32_s32(s1), vmulq_n_f32(scale1, x.d));
                    }
                }
            }
            for (int t = 0; t < NT; ++t) vst1q_f32(out + t * out_stride + kQuarter * j, acc[t]);
        }
    }
};

const InterleavedKernel kQ4_0{act_bytes, convert_act, interleaved_gemm<BlockQ4_0x16, quant::kQK32, kTile, Q32<Q4_0Unpack>::Tile>};
const InterleavedKernel kQ8_0{act_bytes, convert_act, interleaved_gemm<BlockQ8_0x16, quant::kQK32, kTile, Q32<Q8_0Unpack>::Tile>};
const InterleavedKernel kQ4_K{act_bytes, convert_act_k,
                              interleaved_gemm<BlockQ4_Kx16, quant::kQK_K, kTile, KScaleMin<Q4_KUnpack>::Tile>};
const InterleavedKernel kQ5_K{act_bytes, convert_act_k,
                              interleaved_gemm<quant::BlockQ5_Kx16, quant::kQK_K, kTile, KScaleMin<Q5_KUnpack>::Tile>};
const InterleavedKernel kQ6_K{act_bytes, convert_act_k,
                              interleaved_gemm<quant::BlockQ6_Kx16, quant::kQK_K, kTile, Q6_KTile>};

}  // namespace

const InterleavedKernel *neon_dotprod_interleaved_kernel(GgmlType type) {
    if (type == GgmlType::Q4_0) return &kQ4_0;
    if (type == GgmlType::Q8_0) return &kQ8_0;
    if (type == GgmlType::Q4_K) return &kQ4_K;
    if (type == GgmlType::Q5_K) return &kQ5_K;
    if (type == GgmlType::Q6_K) return &kQ6_K;
    return nullptr;
}

}  // namespace lamina::cpu::detail
