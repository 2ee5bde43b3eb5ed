// The backend seam: the table hands out the CPU backend, whose can_compute is the kernel
// tables' and whose row-wise ops are its variant's layer kernels applied row by row.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "backend/backend_table.h"
#include "cpu/cpu_backend.h"
#include "cpu/kernels.h"
#include "cpu/layer_ops.h"

namespace lamina::cpu {
namespace {

const Variant kAllVariants[] = {Variant::Scalar, Variant::Avx2, Variant::Avx512, Variant::Neon};

uint32_t test_seed(const char *suite) {
    const char *env = std::getenv("LAMINA_TEST_SEED");  // replays a printed seed
    const uint32_t seed = env != nullptr ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10)) : std::random_device{}();
    std::printf("%s seed %u (replay: LAMINA_TEST_SEED=%u)\n", suite, seed, seed);
    return seed;
}

std::vector<float> random_floats(std::mt19937 &rng, int64_t n, float scale) {
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(static_cast<size_t>(n));
    for (float &x : v) x = dist(rng);
    return v;
}

TEST(Backends, TableGivesTheCpuBackend) {
    const backend::Backend &be = backend::default_backend();
    EXPECT_STREQ(be.name(), "cpu");
    EXPECT_EQ(backend::find_backend("cpu"), &be);
    EXPECT_EQ(backend::find_backend("cuda"), nullptr);
    EXPECT_EQ(backend::find_backend(""), nullptr);
    EXPECT_EQ(backend::backend_names(), std::vector<std::string>{"cpu"});
    const auto *cpu = dynamic_cast<const CpuBackend *>(&be);
    ASSERT_NE(cpu, nullptr);
    EXPECT_EQ(cpu->variant(), active_variant());
}

TEST(Backends, CpuCanComputeIsTheKernelTables) {
    for (Variant v : kAllVariants) {
        if (!variant_available(v)) {
            std::printf("%-7s NOT AVAILABLE on this CPU/build: its backend is untested here\n", variant_name(v));
            continue;
        }
        const CpuBackend be(v);
        int computable = 0;
        for (uint32_t id = 0; id < 64; ++id) {
            const GgmlType t = static_cast<GgmlType>(id);
            EXPECT_EQ(be.can_compute(t), dot_kernel(t, v) != nullptr) << variant_name(v) << " type " << id;
            computable += be.can_compute(t);
        }
        for (GgmlType t : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q8_0,
                           GgmlType::Q4_K, GgmlType::Q6_K}) {
            EXPECT_TRUE(be.can_compute(t)) << variant_name(v) << " type " << static_cast<uint32_t>(t);
        }
        EXPECT_FALSE(be.can_compute(GgmlType::IQ2_XXS));
        std::printf("%-7s backend computes %d weight types\n", variant_name(v), computable);
    }
    const backend::Backend &active = backend::default_backend();
    for (uint32_t id = 0; id < 64; ++id) {
        EXPECT_EQ(active.can_compute(static_cast<GgmlType>(id)), dot_kernel(static_cast<GgmlType>(id)) != nullptr);
    }
}

// The backend's row-wise ops are the variant's kernels applied row by row.
TEST(Backends, CpuRowOpsAreTheVariantKernels) {
    std::mt19937 rng(test_seed("Backends.CpuRowOps"));
    ModelHparams hp;
    hp.n_rot = 6, hp.head_dim = 8, hp.rope_layout = RopeLayout::HalfSplit;
    hp.rope_freq_base = 10000.0f, hp.rope_freq_scale = 0.5f;
    for (Variant v : kAllVariants) {
        if (!variant_available(v)) continue;
        const CpuBackend be(v);
        const int64_t rows = 5, E = 37;
        const std::vector<float> x = random_floats(rng, rows * E, 1.0f), w = random_floats(rng, E, 1.0f);
        Weight norm;
        norm.cols = E, norm.rows = 1, norm.data = reinterpret_cast<const uint8_t *>(w.data());
        std::vector<float> got(rows * E), want(rows * E);
        be.rms_norm(x.data(), rows, norm, 1e-6f, got.data());
        for (int64_t t = 0; t < rows; ++t) layer_ops(v)->rms_norm(x.data() + t * E, w.data(), want.data() + t * E, E, 1e-6f);
        EXPECT_EQ(got, want) << variant_name(v);

        const int32_t positions[rows] = {0, 1, 7, 100, 4095};
        const int64_t half = hp.n_rot / 2;
        std::vector<float> cos_t(rows * half), sin_t(rows * half);
        be.rope_angles(positions, rows, rope_params(hp), nullptr, cos_t.data(), sin_t.data());
        const int32_t n_heads = 2;
        std::vector<float> q = random_floats(rng, rows * n_heads * hp.head_dim, 1.0f), q_want = q;
        be.rope_rotate(q.data(), rows, n_heads * hp.head_dim, n_heads, hp.head_dim, hp.n_rot, hp.rope_layout, cos_t.data(),
                       sin_t.data());
        for (int64_t t = 0; t < rows; ++t) {
            std::vector<float> c(half), s(half);
            rope_angles(positions[t], rope_params(hp), nullptr, c.data(), s.data());
            EXPECT_EQ(c, std::vector<float>(cos_t.begin() + t * half, cos_t.begin() + (t + 1) * half));
            layer_ops(v)->rope_rotate(q_want.data() + t * n_heads * hp.head_dim, n_heads, hp.head_dim, hp.n_rot, c.data(),
                                      s.data(), hp.rope_layout);
        }
        EXPECT_EQ(q, q_want) << variant_name(v);
    }
}

}  // namespace
}  // namespace lamina::cpu
