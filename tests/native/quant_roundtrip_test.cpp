// Reference quantizers: dequantize(quantize(x)) stays within each type's error, the generic
// quantize() API, and the scalar dot products agree with dot products of dequantized data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "cpu/kernels.h"
#include "quant/blocks.h"
#include "quant/k_formats.h"
#include "quant/q32_formats.h"
#include "quant/quantize.h"

namespace lamina {
namespace {

// A fresh seed each run (or LAMINA_TEST_SEED to replay a failure), printed.
uint32_t fresh_seed(const char *what) {
    const char *env = std::getenv("LAMINA_TEST_SEED");
    const uint32_t seed = env != nullptr ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10))
                                         : std::random_device{}();
    std::printf("%s seed %u (replay: LAMINA_TEST_SEED=%u)\n", what, seed, seed);
    return seed;
}

std::vector<float> gaussian(std::mt19937 &rng, size_t n, float sigma = 1.0f) {
    std::normal_distribution<float> dist(0.0f, sigma);
    std::vector<float> v(n);
    for (auto &x : v) x = dist(rng);
    return v;
}

std::vector<float> round_trip(GgmlType type, const std::vector<float> &x) {
    const int64_t n = static_cast<int64_t>(x.size());
    std::vector<uint8_t> q(quant::row_bytes(type, n));
    EXPECT_TRUE(quant::quantize(type, x.data(), q.data(), 1, n));
    std::vector<float> y(x.size());
    EXPECT_TRUE(quant::dequantize_row(type, q.data(), y.data(), n));
    return y;
}

// 32-element formats: a per-element bound from the block's own statistics.
//  - Q8_0: rounding to d = amax/127 errs by d/2; fp16 storage of d moves q*d by at most
//    127 * d * 2^-11 -> 0.57 d.
//  - Q4_0/Q5_0: the scale maps the most extreme value to -8 (-16); values on the other side
//    clamp at +7 (+15), so the worst error is one full step d = amax/8 (amax/16), plus fp16.
//  - Q4_1/Q5_1: step d = (max-min)/15 (31): d/2 rounding, plus fp16 error of d (15 or 31
//    steps * 2^-11 relative) and of the stored min (|min| * 2^-11).
// fp16 rounding is relative (2^-11) for normal halves but absolute (2^-25) below 2^-14, where
// small scales become subnormal; fp16_err() takes the larger.
float fp16_err(float v) { return std::max(std::fabs(v) / 2048, std::ldexp(1.0f, -25)); }

float block_bound(GgmlType type, const float *x) {
    float amax = 0, mn = x[0], mx = x[0];
    for (int j = 0; j < 32; ++j) {
        amax = std::max(amax, std::fabs(x[j]));
        mn = std::min(mn, x[j]);
        mx = std::max(mx, x[j]);
    }
    const float slack = 1.001f;  // float arithmetic of the quantizer itself
    switch (type) {
        case GgmlType::Q8_0: { const float d = amax / 127; return (d / 2 + 127 * fp16_err(d)) * slack; }
        case GgmlType::Q4_0: { const float d = amax / 8; return (d + 8 * fp16_err(d)) * slack; }
        case GgmlType::Q5_0: { const float d = amax / 16; return (d + 16 * fp16_err(d)) * slack; }
        case GgmlType::Q4_1: { const float d = (mx - mn) / 15; return (d / 2 + 15 * fp16_err(d) + fp16_err(mn)) * slack; }
        case GgmlType::Q5_1: { const float d = (mx - mn) / 31; return (d / 2 + 31 * fp16_err(d) + fp16_err(mn)) * slack; }
        default: return 0;
    }
}

TEST(QuantRoundTrip, Block32FormatsWithinStepBound) {
    std::mt19937 rng(fresh_seed("QuantRoundTrip.Block32"));
    for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0}) {
        for (float sigma : {1.0f, 1e-3f, 300.0f}) {
            std::vector<float> x = gaussian(rng, 32 * 37, sigma);
            std::fill(x.begin(), x.begin() + 32, 0.0f);  // an all-zero block must stay zero
            x[40] = 50 * sigma;                           // an outlier block
            const std::vector<float> y = round_trip(t, x);
            for (size_t b = 0; b < x.size() / 32; ++b) {
                const float bound = block_bound(t, &x[32 * b]);
                for (size_t j = 32 * b; j < 32 * b + 32; ++j)
                    ASSERT_LE(std::fabs(y[j] - x[j]), bound)
                        << type_geometry(static_cast<uint32_t>(t)).name << " element " << j;
            }
        }
    }
}

// K formats: relative RMS error on Gaussian data. A uniform b-bit grid over a group's range R
// errs by step/sqrt(12) RMS with step = R/(2^b - 1); Gaussian groups of 16 (32) span about
// 3.5 (4.1) sigma, giving 2 bits: 0.34, 3 bits: 0.145, 4 bits (32-groups): 0.079, 5 bits: 0.038.
// The symmetric 6- and 8-bit types put the largest magnitude (about 1.77 sigma in 16, 2.9 sigma
// in 256) at the end of the grid: Q6_K step 1.77/32 -> 0.016, Q8_K step 2.9/127 -> 0.0066.
// The searches beat the uniform grid; the bounds sit 10-25% above these analytic values (the
// quantized sub-block scales cost a little). Magnitudes stay where the fp16 super-block scales
// are normal numbers (tiny weights get subnormal scales and lose relative precision, as in ggml).
TEST(QuantRoundTrip, KFormatsRelativeRmsBound) {
    std::mt19937 rng(fresh_seed("QuantRoundTrip.KFormats"));
    struct Case { GgmlType type; double bound; };
    for (Case c : {Case{GgmlType::Q2_K, 0.39}, Case{GgmlType::Q3_K, 0.167}, Case{GgmlType::Q4_K, 0.091},
                   Case{GgmlType::Q5_K, 0.044}, Case{GgmlType::Q6_K, 0.0195}, Case{GgmlType::Q8_K, 0.0076}}) {
        for (float sigma : {1.0f, 0.25f, 300.0f}) {
            const std::vector<float> x = gaussian(rng, 256 * 24, sigma);
            const std::vector<float> y = round_trip(c.type, x);
            double err2 = 0, sig2 = 0;
            for (size_t i = 0; i < x.size(); ++i) {
                err2 += double(y[i] - x[i]) * (y[i] - x[i]);
                sig2 += double(x[i]) * x[i];
            }
            const double rel = std::sqrt(err2 / sig2);
            std::printf("  %s sigma %g: relative RMS error %.4f (bound %.3f)\n",
                        type_geometry(static_cast<uint32_t>(c.type)).name, sigma, rel, c.bound);
            EXPECT_LE(rel, c.bound) << type_geometry(static_cast<uint32_t>(c.type)).name;
        }
        // All-zero super-blocks decode to exact zeros.
        const std::vector<float> z(512, 0.0f);
        for (float v : round_trip(c.type, z)) ASSERT_EQ(v, 0.0f);
    }
}

TEST(QuantRoundTrip, FloatFormats) {
    std::mt19937 rng(fresh_seed("QuantRoundTrip.Float"));
    const std::vector<float> x = gaussian(rng, 1000);
    EXPECT_EQ(round_trip(GgmlType::F32, x), x);
    const auto h = round_trip(GgmlType::F16, x);
    const auto b = round_trip(GgmlType::BF16, x);
    for (size_t i = 0; i < x.size(); ++i) {
        EXPECT_LE(std::fabs(h[i] - x[i]), std::fabs(x[i]) * (1.0f / 2048) + 6e-8f);  // half ulp
        EXPECT_LE(std::fabs(b[i] - x[i]), std::fabs(x[i]) * (1.0f / 256));
    }
}

TEST(QuantApi, RejectsBadShapes) {
    std::vector<float> x(64, 1.0f);
    std::vector<uint8_t> q(1024);
    EXPECT_FALSE(quant::quantize(GgmlType::Q4_K, x.data(), q.data(), 1, 64));   // not 256-aligned
    EXPECT_FALSE(quant::quantize(GgmlType::Q4_0, x.data(), q.data(), 1, 33));
    EXPECT_FALSE(quant::quantize(GgmlType::IQ2_XXS, x.data(), q.data(), 1, 256));
    EXPECT_TRUE(quant::quantize(GgmlType::Q4_0, x.data(), q.data(), 2, 32));
    EXPECT_EQ(quant::row_bytes(GgmlType::Q4_K, 512), 288u);
    EXPECT_EQ(quant::row_bytes(GgmlType::Q4_K, 100), 0u);
    EXPECT_EQ(quant::row_bytes(GgmlType::Q8_0, 64), 68u);
}

TEST(QuantApi, RowsAreIndependent) {
    std::mt19937 rng(fresh_seed("QuantApi.Rows"));
    const std::vector<float> x = gaussian(rng, 3 * 512);
    for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q6_K}) {
        const size_t rb = quant::row_bytes(t, 512);
        std::vector<uint8_t> all(3 * rb), one(rb);
        ASSERT_TRUE(quant::quantize(t, x.data(), all.data(), 3, 512));
        ASSERT_TRUE(quant::quantize(t, x.data() + 1024, one.data(), 1, 512));
        EXPECT_TRUE(std::equal(one.begin(), one.end(), all.begin() + 2 * rb));
    }
}

// The scalar kernels' dot products equal sum(dequant(w) * dequant(act)) up to float rounding:
// this ties each vec_dot's reading of the layout to the dequantizer's (tested against
// hand-built blocks in quant_layout_test). Bound: both sides sum n products of magnitude
// |w_i a_i|, the kernel in float with per-block scale products (a few roundings per block),
// so |diff| <= (n_blocks + 8) * 2^-22 * sum|w_i a_i|.
TEST(QuantScalarDot, MatchesDequantizedDot) {
    std::mt19937 rng(fresh_seed("QuantScalarDot"));
    for (GgmlType t : {GgmlType::Q4_0, GgmlType::Q4_1, GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0,
                       GgmlType::Q2_K, GgmlType::Q3_K, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K}) {
        const char *name = type_geometry(static_cast<uint32_t>(t)).name;
        const cpu::DotKernel *k = cpu::dot_kernel(t, cpu::Variant::Scalar);
        ASSERT_NE(k, nullptr) << name;
        const int64_t n = 256 * 5;
        const std::vector<float> w = gaussian(rng, n), x = gaussian(rng, n);
        std::vector<uint8_t> wq(quant::row_bytes(t, n)), act(k->act_row_bytes(n));
        ASSERT_TRUE(quant::quantize(t, w.data(), wq.data(), 1, n));
        k->convert_act(x.data(), act.data(), n);
        std::vector<float> wd(n), xd(n);
        ASSERT_TRUE(cpu::to_float(t, wq.data(), wd.data(), n));
        ASSERT_TRUE(quant::dequantize_row(k->act_type, act.data(), xd.data(), n));
        double ref = 0, mag = 0;
        for (int64_t i = 0; i < n; ++i) {
            ref += double(wd[i]) * xd[i];
            mag += std::fabs(double(wd[i]) * xd[i]);
        }
        float out = 0;
        k->dot_rows(n, wq.data(), 0, 1, act.data(), &out);
        const int64_t nb = n / type_geometry(static_cast<uint32_t>(t)).block_size;
        EXPECT_NEAR(out, ref, (nb + 8) * std::ldexp(1.0, -22) * mag) << name;
    }
}

}  // namespace
}  // namespace lamina
