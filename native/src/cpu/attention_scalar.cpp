// Scalar reference of the attention V accumulation: every product is rounded before it is
// added, in row order, so the SIMD variants differ only in summation order.
#include <cmath>
#include <cstring>

#include "common/float_convert.h"
#include "cpu/attention.h"
#include "cpu/variant_tables.h"
#include "quant/blocks.h"

namespace lamina::cpu::detail {
namespace {

void accumulate_f32(int64_t d, const float *p, int64_t n, const void *v, size_t v_stride, float *acc) {
    for (int64_t j = 0; j < n; ++j) {
        const char *row = static_cast<const char *>(v) + static_cast<size_t>(j) * v_stride;
        for (int64_t i = 0; i < d; ++i) {
            float x;
            std::memcpy(&x, row + 4 * i, 4);
            acc[i] += p[j] * x;
        }
    }
}

void accumulate_f16(int64_t d, const float *p, int64_t n, const void *v, size_t v_stride, float *acc) {
    for (int64_t j = 0; j < n; ++j) {
        const char *row = static_cast<const char *>(v) + static_cast<size_t>(j) * v_stride;
        for (int64_t i = 0; i < d; ++i) {
            uint16_t h;
            std::memcpy(&h, row + 2 * i, 2);
            acc[i] += p[j] * fp16_to_fp32(h);
        }
    }
}

void accumulate_q8_0(int64_t d, const float *p, int64_t n, const void *v, size_t v_stride, float *acc) {
    for (int64_t j = 0; j < n; ++j) {
        const auto *row = reinterpret_cast<const quant::BlockQ8_0 *>(static_cast<const char *>(v) +
                                                                     static_cast<size_t>(j) * v_stride);
        for (int64_t b = 0; b < d / quant::kQK32; ++b) {
            const float scale = p[j] * fp16_to_fp32(row[b].d);
            for (int i = 0; i < quant::kQK32; ++i) acc[b * quant::kQK32 + i] += scale * row[b].qs[i];
        }
    }
}

float exp_shifted(float *s, int64_t n, float max) {
    float sum = 0.0f;
    for (int64_t j = 0; j < n; ++j) sum += s[j] = std::exp(s[j] - max);
    return sum;
}

const AttentionKernel kF32{accumulate_f32, exp_shifted};
const AttentionKernel kF16{accumulate_f16, exp_shifted};
const AttentionKernel kQ8_0{accumulate_q8_0, exp_shifted};

}  // namespace

const AttentionKernel *scalar_attention_kernel(GgmlType type) {
    switch (type) {
        case GgmlType::F32: return &kF32;
        case GgmlType::F16: return &kF16;
        case GgmlType::Q8_0: return &kQ8_0;
        default: return nullptr;
    }
}

}  // namespace lamina::cpu::detail
