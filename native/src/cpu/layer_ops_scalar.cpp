// Scalar reference of the layer operations (cpu/layer_ops.h): what every SIMD variant computes.
#include <cmath>

#include "cpu/layer_ops.h"
#include "cpu/variant_tables.h"

namespace lamina::cpu::detail {
namespace {

void rms_norm(const float *x, const float *weight, float *out, int64_t n, float eps) {
    double sum = 0;  // double: the mean of squares of thousands of elements (as ggml sums it)
    for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
    const float scale = 1.0f / std::sqrt(static_cast<float>(sum / n) + eps);
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale * weight[i];
}

void rope_rotate(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cos_table,
                 const float *sin_table, RopeLayout layout) {
    const int32_t half = n_rot / 2;
    for (int32_t h = 0; h < n_heads; ++h) {
        float *v = x + static_cast<int64_t>(h) * head_dim;
        for (int32_t i = 0; i < half; ++i) {
            const int32_t a = layout == RopeLayout::Adjacent ? 2 * i : i;
            const int32_t b = layout == RopeLayout::Adjacent ? 2 * i + 1 : i + half;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * cos_table[i] - x1 * sin_table[i];
            v[b] = x0 * sin_table[i] + x1 * cos_table[i];
        }
    }
}

void swiglu(const float *gate, const float *up, float *out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        const float g = gate[i];
        out[i] = g / (1.0f + std::exp(-g)) * up[i];
    }
}

void add(float *y, const float *x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

constexpr LayerOps kOps{rms_norm, rope_rotate, swiglu, add};

}  // namespace

const LayerOps *scalar_layer_ops() { return &kOps; }

}  // namespace lamina::cpu::detail
