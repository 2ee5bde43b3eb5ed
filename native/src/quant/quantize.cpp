#include "quant/quantize.h"

#include <cstring>

#include "common/float_convert.h"
#include "quant/blocks.h"
#include "quant/k_formats.h"
#include "quant/q32_formats.h"

namespace lamina::quant {
namespace {

using QuantizeFn = void (*)(const float *, void *, int64_t);
using DequantizeFn = void (*)(const void *, float *, int64_t);

struct RowCodec {
    QuantizeFn quantize;
    DequantizeFn dequantize;
};

void f32_from(const float *x, void *y, int64_t n) { std::memcpy(y, x, static_cast<size_t>(n) * 4); }
void f32_to(const void *x, float *y, int64_t n) { std::memcpy(y, x, static_cast<size_t>(n) * 4); }
void f16_from(const float *x, void *y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) static_cast<uint16_t *>(y)[i] = fp32_to_fp16(x[i]);
}
void f16_to(const void *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = fp16_to_fp32(static_cast<const uint16_t *>(x)[i]);
}
void bf16_from(const float *x, void *y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) static_cast<uint16_t *>(y)[i] = fp32_to_bf16(x[i]);
}
void bf16_to(const void *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] = bf16_to_fp32(static_cast<const uint16_t *>(x)[i]);
}

// Adapts the typed block functions to the void* table.
template <typename Block, void (*Q)(const float *, Block *, int64_t), void (*D)(const Block *, float *, int64_t)>
constexpr RowCodec block_codec() {
    return {[](const float *x, void *y, int64_t n) { Q(x, static_cast<Block *>(y), n); },
            [](const void *x, float *y, int64_t n) { D(static_cast<const Block *>(x), y, n); }};
}

bool codec_of(GgmlType type, RowCodec *out) {
    switch (type) {
        case GgmlType::F32: *out = {f32_from, f32_to}; return true;
        case GgmlType::F16: *out = {f16_from, f16_to}; return true;
        case GgmlType::BF16: *out = {bf16_from, bf16_to}; return true;
        case GgmlType::Q4_0: *out = block_codec<BlockQ4_0, quantize_row_q4_0_ref, dequantize_row_q4_0>(); return true;
        case GgmlType::Q4_1: *out = block_codec<BlockQ4_1, quantize_row_q4_1_ref, dequantize_row_q4_1>(); return true;
        case GgmlType::Q5_0: *out = block_codec<BlockQ5_0, quantize_row_q5_0_ref, dequantize_row_q5_0>(); return true;
        case GgmlType::Q5_1: *out = block_codec<BlockQ5_1, quantize_row_q5_1_ref, dequantize_row_q5_1>(); return true;
        case GgmlType::Q8_0: *out = block_codec<BlockQ8_0, quantize_row_q8_0_ref, dequantize_row_q8_0>(); return true;
        case GgmlType::Q2_K: *out = block_codec<BlockQ2_K, quantize_row_q2_K_ref, dequantize_row_q2_K>(); return true;
        case GgmlType::Q3_K: *out = block_codec<BlockQ3_K, quantize_row_q3_K_ref, dequantize_row_q3_K>(); return true;
        case GgmlType::Q4_K: *out = block_codec<BlockQ4_K, quantize_row_q4_K_ref, dequantize_row_q4_K>(); return true;
        case GgmlType::Q5_K: *out = block_codec<BlockQ5_K, quantize_row_q5_K_ref, dequantize_row_q5_K>(); return true;
        case GgmlType::Q6_K: *out = block_codec<BlockQ6_K, quantize_row_q6_K_ref, dequantize_row_q6_K>(); return true;
        case GgmlType::Q8_K: *out = block_codec<BlockQ8_K, quantize_row_q8_K_ref, dequantize_row_q8_K>(); return true;
        default: return false;
    }
}

}  // namespace

bool can_quantize(GgmlType type) {
    RowCodec c;
    return codec_of(type, &c);
}

size_t row_bytes(GgmlType type, int64_t n_per_row) {
    const TypeGeometry g = type_geometry(static_cast<uint32_t>(type));
    if (g.name == nullptr || n_per_row < 0 || n_per_row % g.block_size != 0) return 0;
    return static_cast<size_t>(n_per_row / g.block_size) * g.type_size;
}

bool quantize(GgmlType type, const float *src, void *dst, int64_t n_rows, int64_t n_per_row) {
    RowCodec c;
    if (!codec_of(type, &c) || n_rows < 0) return false;
    const TypeGeometry g = type_geometry(static_cast<uint32_t>(type));
    if (n_per_row <= 0 || n_per_row % g.block_size != 0) return false;
    const size_t stride = row_bytes(type, n_per_row);
    for (int64_t r = 0; r < n_rows; ++r)
        c.quantize(src + r * n_per_row, static_cast<char *>(dst) + static_cast<size_t>(r) * stride, n_per_row);
    return true;
}

bool dequantize_row(GgmlType type, const void *src, float *dst, int64_t n) {
    RowCodec c;
    if (!codec_of(type, &c)) return false;
    const TypeGeometry g = type_geometry(static_cast<uint32_t>(type));
    if (n < 0 || n % g.block_size != 0) return false;
    c.dequantize(src, dst, n);
    return true;
}

}  // namespace lamina::quant
