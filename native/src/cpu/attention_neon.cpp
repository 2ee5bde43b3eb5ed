// NEON attention V accumulation: as the AVX2 one with 4 lanes, acc held in registers for 16
// values at a time while the tile's V rows are added. Internal linkage: see neon_kernels.h.
#include "cpu/attention.h"
#include "cpu/neon_kernels.h"
#include "cpu/variant_tables.h"

namespace lamina::cpu::detail {
namespace {

struct V_F32 {
    static float32x4_t load4(const char *row, int64_t i) { return vld1q_f32(reinterpret_cast<const float *>(row) + i); }
    static float load1(const char *row, int64_t i) {
        float x;
        std::memcpy(&x, row + 4 * i, 4);
        return x;
    }
};
struct V_F16 {
    static float32x4_t load4(const char *row, int64_t i) {
        return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(reinterpret_cast<const uint16_t *>(row) + i)));
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
    for (; i + 16 <= d; i += 16) {
        float32x4_t a0 = vld1q_f32(acc + i), a1 = vld1q_f32(acc + i + 4);
        float32x4_t a2 = vld1q_f32(acc + i + 8), a3 = vld1q_f32(acc + i + 12);
        for (int64_t j = 0; j < n; ++j) {
            const char *row = base + static_cast<size_t>(j) * v_stride;
            a0 = vfmaq_n_f32(a0, Load::load4(row, i), p[j]);
            a1 = vfmaq_n_f32(a1, Load::load4(row, i + 4), p[j]);
            a2 = vfmaq_n_f32(a2, Load::load4(row, i + 8), p[j]);
            a3 = vfmaq_n_f32(a3, Load::load4(row, i + 12), p[j]);
        }
        vst1q_f32(acc + i, a0);
        vst1q_f32(acc + i + 4, a1);
        vst1q_f32(acc + i + 8, a2);
        vst1q_f32(acc + i + 12, a3);
    }
    for (; i + 4 <= d; i += 4) {
        float32x4_t a = vld1q_f32(acc + i);
        for (int64_t j = 0; j < n; ++j) a = vfmaq_n_f32(a, Load::load4(base + static_cast<size_t>(j) * v_stride, i), p[j]);
        vst1q_f32(acc + i, a);
    }
    for (; i < d; ++i) {
        for (int64_t j = 0; j < n; ++j) acc[i] += p[j] * Load::load1(base + static_cast<size_t>(j) * v_stride, i);
    }
}

void accumulate_q8_0(int64_t d, const float *p, int64_t n, const void *v, size_t v_stride, float *acc) {
    const char *base = static_cast<const char *>(v);
    for (int64_t b = 0; b < d / quant::kQK32; ++b) {
        float *o = acc + b * quant::kQK32;
        float32x4_t a[8];
        for (int u = 0; u < 8; ++u) a[u] = vld1q_f32(o + 4 * u);
        for (int64_t j = 0; j < n; ++j) {
            const auto *blk = reinterpret_cast<const quant::BlockQ8_0 *>(base + static_cast<size_t>(j) * v_stride) + b;
            const float s = p[j] * h2f(blk->d);
            for (int h = 0; h < 2; ++h) {
                const int8x16_t q = vld1q_s8(blk->qs + 16 * h);
                const int16x8_t lo = vmovl_s8(vget_low_s8(q)), hi = vmovl_s8(vget_high_s8(q));
                a[4 * h + 0] = vfmaq_n_f32(a[4 * h + 0], vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo))), s);
                a[4 * h + 1] = vfmaq_n_f32(a[4 * h + 1], vcvtq_f32_s32(vmovl_s16(vget_high_s16(lo))), s);
                a[4 * h + 2] = vfmaq_n_f32(a[4 * h + 2], vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi))), s);
                a[4 * h + 3] = vfmaq_n_f32(a[4 * h + 3], vcvtq_f32_s32(vmovl_s16(vget_high_s16(hi))), s);
            }
        }
        for (int u = 0; u < 8; ++u) vst1q_f32(o + 4 * u, a[u]);
    }
}

// exp(x) for x <= 0 as in attention_avx2.cpp.
float32x4_t exp_nonpositive(float32x4_t x) {
    x = vmaxq_f32(x, vdupq_n_f32(-87.0f));
    const float32x4_t n = vrndnq_f32(vmulq_n_f32(x, 1.44269504f));
    float32x4_t r = vfmsq_n_f32(x, n, 0.693359375f);
    r = vfmsq_n_f32(r, n, -2.12194440e-4f);
    float32x4_t p = vdupq_n_f32(1.0f / 720);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 120), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 24), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f / 6), p, r);
    p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
    const int32x4_t bits = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
    return vmulq_f32(p, vreinterpretq_f32_s32(bits));
}

float exp_shifted(float *s, int64_t n, float max) {
    const float32x4_t m = vdupq_n_f32(max);
    float32x4_t sum = vdupq_n_f32(0.0f);
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) {
        const float32x4_t e = exp_nonpositive(vsubq_f32(vld1q_f32(s + j), m));
        vst1q_f32(s + j, e);
        sum = vaddq_f32(sum, e);
    }
    float total = vaddvq_f32(sum);
    if (j < n) {  // the tail through a padded copy, so the same function computes every value
        float tmp[4] = {max, max, max, max};
        for (int64_t i = 0; j + i < n; ++i) tmp[i] = s[j + i];
        vst1q_f32(tmp, exp_nonpositive(vsubq_f32(vld1q_f32(tmp), m)));
        for (int64_t i = 0; j + i < n; ++i) total += s[j + i] = tmp[i];
    }
    return total;
}

const AttentionKernel kF32{accumulate_float<V_F32>, exp_shifted};
const AttentionKernel kF16{accumulate_float<V_F16>, exp_shifted};
const AttentionKernel kQ8_0{accumulate_q8_0, exp_shifted};

}  // namespace

const AttentionKernel *neon_attention_kernel(GgmlType type) {
    switch (type) {
        case GgmlType::F32: return &kF32;
        case GgmlType::F16: return &kF16;
        case GgmlType::Q8_0: return &kQ8_0;
        default: return nullptr;
    }
}

}  // namespace lamina::cpu::detail
