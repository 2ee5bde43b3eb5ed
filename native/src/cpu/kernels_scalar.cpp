// Scalar reference kernels: the definition of what every SIMD variant must compute (up to
// floating-point summation order). Float dot products accumulate in double so the reference is
// at least as accurate as any variant.
#include <cstring>

#include "common/float_convert.h"
#include "cpu/variant_tables.h"
#include "quant/k_formats.h"
#include "quant/q32_formats.h"
#include "quant/quantize.h"

namespace lamina::cpu::detail {
namespace {

size_t f32_act_bytes(int64_t k) { return static_cast<size_t>(k) * sizeof(float); }

void f32_convert_act(const float *x, void *dst, int64_t k) {
    std::memcpy(dst, x, static_cast<size_t>(k) * sizeof(float));
}

template <float (*Load)(const void *, int64_t)>
void float_dot_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act,
                    float *out) {
    const float *x = static_cast<const float *>(act);
    for (int64_t r = 0; r < n_rows; ++r) {
        const void *row = static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride;
        double sum = 0.0;
        for (int64_t i = 0; i < k; ++i) sum += static_cast<double>(Load(row, i)) * x[i];
        out[r] = static_cast<float>(sum);
    }
}

// Rows may sit at any byte offset (a GGUF file's alignment can be 1): load through memcpy.
float load_f32(const void *row, int64_t i) {
    float v;
    std::memcpy(&v, static_cast<const char *>(row) + i * 4, 4);
    return v;
}
float load_f16(const void *row, int64_t i) {
    uint16_t h;
    std::memcpy(&h, static_cast<const char *>(row) + i * 2, 2);
    return fp16_to_fp32(h);
}
float load_bf16(const void *row, int64_t i) {
    uint16_t h;
    std::memcpy(&h, static_cast<const char *>(row) + i * 2, 2);
    return bf16_to_fp32(h);
}

// Quantized weights: activations become Q8_0 (32-element formats) or Q8_K (K formats).
template <typename ActBlock, int kBlock, void (*Quantize)(const float *, ActBlock *, int64_t)>
struct ActFormat {
    static size_t bytes(int64_t k) { return static_cast<size_t>(k / kBlock) * sizeof(ActBlock); }
    static void convert(const float *x, void *dst, int64_t k) {
        Quantize(x, static_cast<ActBlock *>(dst), k);
    }
};
using Q8_0Act = ActFormat<quant::BlockQ8_0, quant::kQK32, quant::quantize_row_q8_0_ref>;
using Q8_KAct = ActFormat<quant::BlockQ8_K, quant::kQK_K, quant::quantize_row_q8_K_ref>;

template <typename Block, typename ActBlock,
          float (*VecDot)(int64_t, const Block *, const ActBlock *)>
void quant_dot_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act,
                    float *out) {
    const ActBlock *a = static_cast<const ActBlock *>(act);
    for (int64_t r = 0; r < n_rows; ++r) {
        const void *row = static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride;
        out[r] = VecDot(k, static_cast<const Block *>(row), a);
    }
}

template <typename Block, float (*VecDot)(int64_t, const Block *, const quant::BlockQ8_0 *)>
constexpr DotKernel q8_0_kernel() {
    return {GgmlType::Q8_0, Q8_0Act::bytes, Q8_0Act::convert,
            quant_dot_rows<Block, quant::BlockQ8_0, VecDot>,
            batch_by_rows<quant_dot_rows<Block, quant::BlockQ8_0, VecDot>>};
}
template <typename Block, float (*VecDot)(int64_t, const Block *, const quant::BlockQ8_K *)>
constexpr DotKernel q8_K_kernel() {
    return {GgmlType::Q8_K, Q8_KAct::bytes, Q8_KAct::convert,
            quant_dot_rows<Block, quant::BlockQ8_K, VecDot>,
            batch_by_rows<quant_dot_rows<Block, quant::BlockQ8_K, VecDot>>};
}

using namespace quant;
const DotKernel kQ4_0 = q8_0_kernel<BlockQ4_0, vec_dot_q4_0_q8_0>();
const DotKernel kQ4_1 = q8_0_kernel<BlockQ4_1, vec_dot_q4_1_q8_0>();
const DotKernel kQ5_0 = q8_0_kernel<BlockQ5_0, vec_dot_q5_0_q8_0>();
const DotKernel kQ5_1 = q8_0_kernel<BlockQ5_1, vec_dot_q5_1_q8_0>();
const DotKernel kQ8_0 = q8_0_kernel<BlockQ8_0, vec_dot_q8_0_q8_0>();
const DotKernel kQ2_K = q8_K_kernel<BlockQ2_K, vec_dot_q2_K_q8_K>();
const DotKernel kQ3_K = q8_K_kernel<BlockQ3_K, vec_dot_q3_K_q8_K>();
const DotKernel kQ4_K = q8_K_kernel<BlockQ4_K, vec_dot_q4_K_q8_K>();
const DotKernel kQ5_K = q8_K_kernel<BlockQ5_K, vec_dot_q5_K_q8_K>();
const DotKernel kQ6_K = q8_K_kernel<BlockQ6_K, vec_dot_q6_K_q8_K>();

const DotKernel kF32{GgmlType::F32, f32_act_bytes, f32_convert_act, float_dot_rows<load_f32>,
                     batch_by_rows<float_dot_rows<load_f32>>};
const DotKernel kF16{GgmlType::F32, f32_act_bytes, f32_convert_act, float_dot_rows<load_f16>,
                     batch_by_rows<float_dot_rows<load_f16>>};
const DotKernel kBF16{GgmlType::F32, f32_act_bytes, f32_convert_act, float_dot_rows<load_bf16>,
                     batch_by_rows<float_dot_rows<load_bf16>>};

}  // namespace

const DotKernel *scalar_dot_kernel(GgmlType type) {
    switch (type) {
        case GgmlType::F32: return &kF32;
        case GgmlType::F16: return &kF16;
        case GgmlType::BF16: return &kBF16;
        case GgmlType::Q4_0: return &kQ4_0;
        case GgmlType::Q4_1: return &kQ4_1;
        case GgmlType::Q5_0: return &kQ5_0;
        case GgmlType::Q5_1: return &kQ5_1;
        case GgmlType::Q8_0: return &kQ8_0;
        case GgmlType::Q2_K: return &kQ2_K;
        case GgmlType::Q3_K: return &kQ3_K;
        case GgmlType::Q4_K: return &kQ4_K;
        case GgmlType::Q5_K: return &kQ5_K;
        case GgmlType::Q6_K: return &kQ6_K;
        default: return nullptr;
    }
}

bool scalar_to_float(GgmlType type, const void *src, float *dst, int64_t n) {
    switch (type) {
        case GgmlType::F32:
            std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
            return true;
        case GgmlType::F16: {
            const uint16_t *h = static_cast<const uint16_t *>(src);
            for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(h[i]);
            return true;
        }
        case GgmlType::BF16: {
            const uint16_t *h = static_cast<const uint16_t *>(src);
            for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(h[i]);
            return true;
        }
        default:
            // Q8_K is an activation-only format: not a weight type, so no to_float for it.
            return type != GgmlType::Q8_K && quant::dequantize_row(type, src, dst, n);
    }
}

}  // namespace lamina::cpu::detail
