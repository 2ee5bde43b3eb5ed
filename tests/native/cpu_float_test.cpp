// Float weight kernels (F32, F16, BF16): every runnable variant against a double-precision
// reference computed here from the converted weights, plus to_float on hand-built values.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "common/float_convert.h"
#include "cpu/kernels.h"

namespace lamina::cpu {
namespace {

const Variant kAllVariants[] = {Variant::Scalar, Variant::Avx2, Variant::Avx512, Variant::Neon};

TEST(CpuFloatToFloat, HandBuiltValues) {
    const float f32[3] = {1.5f, -0.0f, 65504.0f};
    float out[3];
    ASSERT_TRUE(to_float(GgmlType::F32, f32, out, 3));
    EXPECT_EQ(0, std::memcmp(f32, out, sizeof out));

    // F16: 0x3C00 = 1, 0xC000 = -2, 0x7BFF = 65504 (max), 0x0001 = 2^-24 (smallest subnormal).
    const uint16_t f16[4] = {0x3C00, 0xC000, 0x7BFF, 0x0001};
    float h[4];
    ASSERT_TRUE(to_float(GgmlType::F16, f16, h, 4));
    EXPECT_EQ(h[0], 1.0f);
    EXPECT_EQ(h[1], -2.0f);
    EXPECT_EQ(h[2], 65504.0f);
    EXPECT_EQ(h[3], std::ldexp(1.0f, -24));

    // BF16: upper half of the float bits. 0x3FC0 = 1.5, 0xC2F7 = -123.5.
    const uint16_t bf16[2] = {0x3FC0, 0xC2F7};
    float b[2];
    ASSERT_TRUE(to_float(GgmlType::BF16, bf16, b, 2));
    EXPECT_EQ(b[0], 1.5f);
    EXPECT_EQ(b[1], -123.5f);
}

struct FloatCase {
    GgmlType type;
    size_t elem_bytes;
};

// Stores x in `type`, returning the value the weight actually holds after rounding.
float store(GgmlType type, float x, void *dst) {
    if (type == GgmlType::F32) {
        std::memcpy(dst, &x, 4);
        return x;
    }
    const uint16_t h = type == GgmlType::F16 ? fp32_to_fp16(x) : fp32_to_bf16(x);
    std::memcpy(dst, &h, 2);
    return type == GgmlType::F16 ? fp16_to_fp32(h) : bf16_to_fp32(h);
}

TEST(CpuFloatDot, EveryVariantMatchesDoubleReference) {
    const char *env = std::getenv("LAMINA_TEST_SEED");  // replays a printed seed
    const uint32_t seed = env != nullptr ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10))
                                         : std::random_device{}();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::printf("CpuFloatDot seed %u (replay: LAMINA_TEST_SEED=%u)\n", seed, seed);
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    for (FloatCase fc : {FloatCase{GgmlType::F32, 4}, FloatCase{GgmlType::F16, 2},
                         FloatCase{GgmlType::BF16, 2}}) {
        for (int64_t k : {1, 7, 32, 33, 256, 1000, 4096 + 3}) {
            const int64_t rows = 5;
            const size_t stride = static_cast<size_t>(k) * fc.elem_bytes + 8;  // padded rows
            std::vector<uint8_t> w(stride * rows);
            std::vector<double> wv(static_cast<size_t>(k * rows));
            std::vector<float> x(static_cast<size_t>(k));
            for (auto &v : x) v = dist(rng);
            for (int64_t r = 0; r < rows; ++r)
                for (int64_t i = 0; i < k; ++i)
                    wv[r * k + i] = store(fc.type, dist(rng), &w[r * stride + i * fc.elem_bytes]);
            for (Variant v : kAllVariants) {
                if (!variant_available(v)) continue;
                const DotKernel *kern = dot_kernel(fc.type, v);
                ASSERT_NE(kern, nullptr);
                std::vector<uint8_t> act(kern->act_row_bytes(k));
                kern->convert_act(x.data(), act.data(), k);
                std::vector<float> out(rows);
                kern->dot_rows(k, w.data(), stride, rows, act.data(), out.data());
                for (int64_t r = 0; r < rows; ++r) {
                    double ref = 0, abs_sum = 0;
                    for (int64_t i = 0; i < k; ++i) {
                        ref += wv[r * k + i] * x[i];
                        abs_sum += std::fabs(wv[r * k + i] * x[i]);
                    }
                    // Float summation in any order: |err| <= k * eps * sum|w_i x_i| (plus the
                    // final rounding); activations are used unrounded (act_type F32).
                    const double bound = (k + 1) * 1.2e-7 * abs_sum + 1e-30;
                    EXPECT_NEAR(out[r], ref, bound)
                        << variant_name(v) << " type " << static_cast<int>(fc.type) << " k " << k;
                }
            }
        }
    }
}

}  // namespace
}  // namespace lamina::cpu
