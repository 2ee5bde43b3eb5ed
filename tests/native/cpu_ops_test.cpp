// The layer operations (cpu/layer_ops.h): every variant this CPU runs against the scalar
// reference, over odd sizes that exercise the vector bodies and the padded tails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/layer_ops.h"

namespace lamina::cpu {
namespace {

const Variant kAllVariants[] = {Variant::Scalar, Variant::Avx2, Variant::Avx512, Variant::Neon};
const int64_t kSizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 4096 + 3};

uint32_t test_seed(const char *suite) {
    const char *env = std::getenv("LAMINA_TEST_SEED");  // replays a printed seed
    const uint32_t seed = env != nullptr ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
    std::printf("%s seed %u (replay: LAMINA_TEST_SEED=%u)\n", suite, seed, seed);
    return seed;
}

// The SIMD variants this CPU can run; says loudly which it cannot (they are untested here).
std::vector<Variant> simd_variants_here(const char *what) {
    std::vector<Variant> out;
    for (Variant v : kAllVariants) {
        if (v == Variant::Scalar) continue;
        if (variant_available(v)) {
            out.push_back(v);
        } else {
            std::printf("%-7s NOT AVAILABLE on this CPU/build: its %s is untested here\n", variant_name(v), what);
        }
    }
    return out;
}

std::vector<float> random_floats(std::mt19937 &rng, int64_t n, float scale) {
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(static_cast<size_t>(n));
    for (float &x : v) x = dist(rng);
    return v;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// |got - want| <= rel * |want|, NaN only where the reference has one.
::testing::AssertionResult close_relative(float got, float want, float rel) {
    if (std::isnan(want) ? std::isnan(got) : (got == want || std::fabs(got - want) <= rel * std::fabs(want))) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "got " << got << ", want " << want << " (relative difference "
                                         << std::fabs(got - want) / std::fabs(want) << ")";
}

const LayerOps &reference() { return *layer_ops(Variant::Scalar); }

TEST(CpuLayerOps, RmsNormMatchesScalar) {
    std::mt19937 rng(test_seed("CpuLayerOps.RmsNorm"));
    for (Variant v : simd_variants_here("rms_norm")) {
        for (int64_t n : kSizes) {
            for (float scale : {1e-3f, 1.0f, 300.0f}) {
                const std::vector<float> x = random_floats(rng, n, scale), w = random_floats(rng, n, 1.0f);
                std::vector<float> want(n), got(n);
                reference().rms_norm(x.data(), w.data(), want.data(), n, 1e-5f);
                layer_ops(v)->rms_norm(x.data(), w.data(), got.data(), n, 1e-5f);
                // The double sum of squares may round once differently (summation order).
                for (int64_t i = 0; i < n; ++i) {
                    ASSERT_TRUE(close_relative(got[i], want[i], 1e-6f)) << variant_name(v) << " n=" << n << " i=" << i;
                }
            }
        }
    }
}

TEST(CpuLayerOps, RopeRotateMatchesScalarBitForBit) {
    std::mt19937 rng(test_seed("CpuLayerOps.RopeRotate"));
    std::uniform_real_distribution<float> angle(-100.0f, 100.0f);
    for (Variant v : simd_variants_here("rope_rotate")) {
        for (RopeLayout layout : {RopeLayout::Adjacent, RopeLayout::HalfSplit}) {
            for (int32_t n_rot : {2, 4, 6, 8, 14, 16, 30, 32, 34, 62, 64, 96, 128, 130}) {
                for (int32_t extra : {0, 2, 7}) {  // head_dim > n_rot: partial rotation
                    const int32_t head_dim = n_rot + extra, n_heads = 3;
                    std::vector<float> cos_t(n_rot / 2), sin_t(n_rot / 2);
                    for (int32_t i = 0; i < n_rot / 2; ++i) {
                        const float a = angle(rng);
                        cos_t[i] = std::cos(a), sin_t[i] = std::sin(a);
                    }
                    const std::vector<float> x = random_floats(rng, int64_t{n_heads} * head_dim, 2.0f);
                    std::vector<float> want = x, got = x;
                    reference().rope_rotate(want.data(), n_heads, head_dim, n_rot, cos_t.data(), sin_t.data(), layout);
                    layer_ops(v)->rope_rotate(got.data(), n_heads, head_dim, n_rot, cos_t.data(), sin_t.data(), layout);
                    for (size_t i = 0; i < x.size(); ++i) {
                        ASSERT_TRUE(same_bits(got[i], want[i]))
                            << variant_name(v) << (layout == RopeLayout::Adjacent ? " adjacent" : " half-split")
                            << " n_rot=" << n_rot << " head_dim=" << head_dim << " i=" << i << ": " << got[i]
                            << " vs " << want[i];
                    }
                }
            }
        }
    }
}

TEST(CpuLayerOps, SwigluMatchesScalar) {
    std::mt19937 rng(test_seed("CpuLayerOps.Swiglu"));
    const float inf = std::numeric_limits<float>::infinity();
    for (Variant v : simd_variants_here("swiglu")) {
        for (int64_t n : kSizes) {
            for (float scale : {0.5f, 4.0f, 40.0f}) {
                std::vector<float> gate = random_floats(rng, n, scale);
                const std::vector<float> up = random_floats(rng, n, 1.0f);
                std::vector<float> want(n), got(n);
                reference().swiglu(gate.data(), up.data(), want.data(), n);
                layer_ops(v)->swiglu(gate.data(), up.data(), got.data(), n);
                for (int64_t i = 0; i < n; ++i) {
                    ASSERT_TRUE(close_relative(got[i], want[i], 1e-6f)) << variant_name(v) << " n=" << n << " i=" << i;
                }
                layer_ops(v)->swiglu(gate.data(), up.data(), gate.data(), n);  // in place, as the forward pass calls it
                for (int64_t i = 0; i < n; ++i) ASSERT_TRUE(same_bits(gate[i], got[i])) << variant_name(v) << " in place";
            }
        }
        // The exponential's whole range: overflow to inf (gate below -88.7), subnormals, zeros,
        // infinities and NaN, each position of a vector.
        const float edges[] = {-inf, -1000.0f, -104.5f, -103.9f, -89.0f, -88.73f, -88.72f, -88.0f, -87.4f, -87.0f,
                               -20.0f, -1e-3f, -0.0f, 0.0f, 1e-30f, 1e-3f, 20.0f, 87.0f, 88.0f, 89.0f, 104.0f,
                               1000.0f, inf, std::numeric_limits<float>::quiet_NaN()};
        std::vector<float> gate(std::begin(edges), std::end(edges)), up(gate.size(), 1.5f);
        std::vector<float> want(gate.size()), got(gate.size());
        reference().swiglu(gate.data(), up.data(), want.data(), static_cast<int64_t>(gate.size()));
        layer_ops(v)->swiglu(gate.data(), up.data(), got.data(), static_cast<int64_t>(gate.size()));
        for (size_t i = 0; i < gate.size(); ++i) {
            EXPECT_TRUE(close_relative(got[i], want[i], 1e-6f)) << variant_name(v) << " gate=" << gate[i];
        }
    }
}

// silu itself (up = 1) over a dense sweep: the vector exponential against expf, with the
// worst relative difference printed.
TEST(CpuLayerOps, SiluSweepWithinTwoUlpOfExpf) {
    std::vector<float> gate;
    for (float g = -110.0f; g <= 110.0f; g += 0.00173f) gate.push_back(g);
    const std::vector<float> up(gate.size(), 1.0f);
    const int64_t n = static_cast<int64_t>(gate.size());
    std::vector<float> want(gate.size()), got(gate.size());
    reference().swiglu(gate.data(), up.data(), want.data(), n);
    for (Variant v : simd_variants_here("silu")) {
        layer_ops(v)->swiglu(gate.data(), up.data(), got.data(), n);
        double worst = 0;
        for (int64_t i = 0; i < n; ++i) {
            if (want[i] == 0) {
                EXPECT_EQ(got[i], 0.0f) << variant_name(v) << " gate=" << gate[i];
                continue;
            }
            worst = std::max(worst, std::fabs(static_cast<double>(got[i]) - want[i]) / std::fabs(want[i]));
        }
        std::printf("%-7s silu: worst relative difference to the expf reference %.2e over %lld values\n",
                    variant_name(v), worst, static_cast<long long>(n));
        EXPECT_LE(worst, 2.5e-7) << variant_name(v);  // about 2 ulp
    }
}

TEST(CpuLayerOps, AddMatchesScalarBitForBit) {
    std::mt19937 rng(test_seed("CpuLayerOps.Add"));
    for (Variant v : simd_variants_here("add")) {
        for (int64_t n : kSizes) {
            const std::vector<float> y = random_floats(rng, n, 3.0f), x = random_floats(rng, n, 3.0f);
            std::vector<float> want = y, got = y;
            reference().add(want.data(), x.data(), n);
            layer_ops(v)->add(got.data(), x.data(), n);
            for (int64_t i = 0; i < n; ++i) ASSERT_TRUE(same_bits(got[i], want[i])) << variant_name(v) << " n=" << n;
        }
    }
}

TEST(CpuLayerOps, UnavailableVariantsHaveNone) {
    for (Variant v : kAllVariants) EXPECT_EQ(layer_ops(v) != nullptr, variant_available(v)) << variant_name(v);
}

}  // namespace
}  // namespace lamina::cpu
