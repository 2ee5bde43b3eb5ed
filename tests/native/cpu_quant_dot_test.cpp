// Every variant this machine can run against the scalar reference, for every weight type:
// dot_rows over random data (a fresh seed each run, printed so a failure can be replayed with
// LAMINA_TEST_SEED=<seed>), several row lengths (multiples of the block size) and row counts,
// and the activation converters.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "common/float_convert.h"
#include "cpu/kernels.h"
#include "quant/blocks.h"
#include "quant/quantize.h"
#include "random_rows.h"

namespace lamina::cpu {
namespace {

const Variant kVariants[] = {Variant::Avx2, Variant::Avx512, Variant::Neon};
const GgmlType kTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q4_1,
                           GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0, GgmlType::Q2_K, GgmlType::Q3_K,
                           GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K};

// Dequantized activations (what the act bytes mean), for the error bound.
std::vector<float> act_values(const DotKernel &kern, const std::vector<uint8_t> &act, int64_t k) {
    std::vector<float> v(static_cast<size_t>(k));
    EXPECT_TRUE(quant::dequantize_row(kern.act_type, act.data(), v.data(), k));
    return v;
}

// Both sides compute the same exact integer (or float products) per block and differ only in
// how the block terms are rounded and summed: at most ~2 roundings per block plus the summation
// order, each within 2^-23 of the running magnitude, which never exceeds sum|w_i a_i|. Float
// weights: k roundings of fused/unfused products. So |diff| <= (terms + 8) * 2^-22 * sum|w_i a_i|,
// with terms = k for float types and the block count otherwise.
TEST(CpuQuantDot, EveryVariantMatchesScalar) {
    std::mt19937 rng(test_seed("CpuQuantDot"));
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    int compared = 0;
    for (GgmlType t : kTypes) {
        const DotKernel *ref = dot_kernel(t, Variant::Scalar);
        ASSERT_NE(ref, nullptr) << name_of(t);
        const int64_t bs = type_geometry(static_cast<uint32_t>(t)).block_size;
        const int64_t block_counts_32[] = {1, 3, 8, 33};
        const int64_t block_counts_k[] = {1, 2, 5, 11};
        const int64_t block_counts_f[] = {1, 7, 64, 129};  // float types: odd lengths too
        const int64_t *counts = bs == 1 ? block_counts_f : bs == 32 ? block_counts_32 : block_counts_k;
        for (int ci = 0; ci < 4; ++ci) {
            const int64_t k = counts[ci] * bs;
            const int64_t n_rows = (ci % 2 == 0) ? 3 : 17;
            std::vector<float> x(static_cast<size_t>(k));
            for (auto &v : x) v = gauss(rng);
            std::vector<uint8_t> act(ref->act_row_bytes(k));
            ref->convert_act(x.data(), act.data(), k);
            const std::vector<float> av = act_values(*ref, act, k);
            for (bool bits : {false, true}) {
                const Rows rows = make_rows(t, k, n_rows, ci % 2 == 0 ? 0 : 6, bits, rng);
                std::vector<float> expect(static_cast<size_t>(n_rows));
                ref->dot_rows(k, rows.data.data(), rows.stride, n_rows, act.data(), expect.data());
                for (Variant v : kVariants) {
                  if (!variant_available(v)) continue;
                  // With and without the optional extension (VNNI / dotprod) where they differ.
                  for (bool ext : {true, false}) {
                    const DotKernel *kern = ext ? dot_kernel(t, v) : dot_kernel_baseline(t, v);
                    ASSERT_NE(kern, nullptr);
                    if (!ext && kern == dot_kernel(t, v)) continue;
                    ASSERT_EQ(kern->act_type, ref->act_type);
                    std::vector<float> got(static_cast<size_t>(n_rows), NAN);
                    kern->dot_rows(k, rows.data.data(), rows.stride, n_rows, act.data(), got.data());
                    for (int64_t r = 0; r < n_rows; ++r) {
                        std::vector<float> wv(static_cast<size_t>(k));
                        ASSERT_TRUE(to_float(t, rows.data.data() + r * rows.stride, wv.data(), k));
                        double mag = 0;
                        for (int64_t i = 0; i < k; ++i) mag += std::fabs(double(wv[i]) * av[i]);
                        const double terms = bs == 1 ? double(k) : double(k / bs);
                        const double bound = (terms + 8) * std::ldexp(1.0, -22) * mag + 1e-30;
                        ASSERT_NEAR(got[r], expect[r], bound)
                            << name_of(t) << " " << variant_name(v) << " k=" << k << " row " << r
                            << (bits ? " (random bits)" : " (quantized gaussian)")
                            << (ext ? "" : " without VNNI/dotprod");
                    }
                    ++compared;
                  }
                }
            }
        }
    }
    std::printf("compared %d (type, variant, shape) cases\n", compared);
}

// The batched form against the scalar reference's dot_rows, one activation row at a time; same
// bound as above. Activation counts cover full tiles of 4 and every remainder.
TEST(CpuQuantDot, BatchedMatchesScalarPerRow) {
    std::mt19937 rng(test_seed("CpuQuantDot.Batch"));
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    int compared = 0;
    for (GgmlType t : kTypes) {
        const DotKernel *ref = dot_kernel(t, Variant::Scalar);
        const int64_t bs = type_geometry(static_cast<uint32_t>(t)).block_size;
        const int64_t k = bs == 1 ? 300 : bs == 32 ? 32 * 7 : 256 * 3;
        const int64_t n_rows = 5;
        const Rows rows = make_rows(t, k, n_rows, 0, false, rng);
        for (int64_t n_act : {1, 3, 4, 6, 9}) {
            const size_t act_bytes = ref->act_row_bytes(k);
            const size_t act_stride = (act_bytes + 63) / 64 * 64;
            std::vector<uint8_t> act(act_stride * static_cast<size_t>(n_act));
            std::vector<std::vector<float>> av;
            std::vector<float> x(static_cast<size_t>(k));
            for (int64_t a = 0; a < n_act; ++a) {
                for (auto &v : x) v = gauss(rng);
                ref->convert_act(x.data(), act.data() + a * act_stride, k);
                std::vector<float> vals(static_cast<size_t>(k));
                ASSERT_TRUE(quant::dequantize_row(ref->act_type, act.data() + a * act_stride, vals.data(), k));
                av.push_back(vals);
            }
            const size_t out_stride = static_cast<size_t>(n_rows) + 3;
            std::vector<float> want(out_stride * n_act);
            for (int64_t a = 0; a < n_act; ++a)
                ref->dot_rows(k, rows.data.data(), rows.stride, n_rows, act.data() + a * act_stride, want.data() + a * out_stride);
            for (Variant v : {Variant::Scalar, Variant::Avx2, Variant::Avx512, Variant::Neon}) {
                if (!variant_available(v)) continue;
                for (bool ext : {true, false}) {
                    const DotKernel *kern = ext ? dot_kernel(t, v) : dot_kernel_baseline(t, v);
                    if (!ext && kern == dot_kernel(t, v)) continue;
                    ASSERT_NE(kern->dot_rows_batch, nullptr);
                    std::vector<float> got(out_stride * n_act, NAN);
                    kern->dot_rows_batch(k, rows.data.data(), rows.stride, n_rows, act.data(), act_stride, n_act,
                                         got.data(), out_stride);
                    for (int64_t a = 0; a < n_act; ++a) {
                        for (int64_t r = 0; r < n_rows; ++r) {
                            std::vector<float> wv(static_cast<size_t>(k));
                            ASSERT_TRUE(to_float(t, rows.data.data() + r * rows.stride, wv.data(), k));
                            double mag = 0;
                            for (int64_t i = 0; i < k; ++i) mag += std::fabs(double(wv[i]) * av[a][i]);
                            const double terms = bs == 1 ? double(k) : double(k / bs);
                            ASSERT_NEAR(got[a * out_stride + r], want[a * out_stride + r],
                                        (terms + 8) * std::ldexp(1.0, -22) * mag + 1e-30)
                                << name_of(t) << " " << variant_name(v) << (ext ? "" : " baseline") << " n_act=" << n_act
                                << " act " << a << " row " << r;
                        }
                        // Padding between output rows stays untouched.
                        for (size_t r = n_rows; r < out_stride; ++r) ASSERT_TRUE(std::isnan(got[a * out_stride + r]));
                    }
                    ++compared;
                }
            }
        }
    }
    std::printf("compared %d batched (type, variant, count) cases\n", compared);
}

// Activation converters: each variant's must mean the same numbers as the scalar one. Q8_0
// scales are equal and levels within 1 (SIMD rounds exact .5 ties to even, the reference away
// from zero); Q8_K is bit-identical (both round to nearest even); F32 is a copy.
TEST(CpuQuantDot, ActivationConvertersMatchScalar) {
    std::mt19937 rng(test_seed("CpuQuantDot.Act"));
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    for (GgmlType t : {GgmlType::F32, GgmlType::Q4_0, GgmlType::Q4_K}) {
        const DotKernel *ref = dot_kernel(t, Variant::Scalar);
        const int64_t k = 256 * 6;
        std::vector<float> x(static_cast<size_t>(k));
        for (auto &v : x) v = gauss(rng) * 3.0f;
        for (int i = 0; i < 32; ++i) x[static_cast<size_t>(i)] = 0.0f;     // an all-zero Q8_0 block
        for (int i = 256; i < 512; ++i) x[static_cast<size_t>(i)] = 0.0f;  // and an all-zero Q8_K block
        x[700] = -40.0f;                                                    // a negative extreme
        std::vector<uint8_t> want(ref->act_row_bytes(k));
        ref->convert_act(x.data(), want.data(), k);
        for (Variant v : kVariants) {
            if (!variant_available(v)) continue;
            const DotKernel *kern = dot_kernel(t, v);
            std::vector<uint8_t> got(kern->act_row_bytes(k), 0xCD);
            ASSERT_EQ(got.size(), want.size());
            kern->convert_act(x.data(), got.data(), k);
            if (t == GgmlType::Q4_0) {
                const auto *a = reinterpret_cast<const quant::BlockQ8_0 *>(got.data());
                const auto *b = reinterpret_cast<const quant::BlockQ8_0 *>(want.data());
                for (int64_t i = 0; i < k / 32; ++i) {
                    ASSERT_EQ(a[i].d, b[i].d) << variant_name(v) << " block " << i;
                    for (int j = 0; j < 32; ++j) ASSERT_LE(std::abs(a[i].qs[j] - b[i].qs[j]), 1);
                }
            } else {
                size_t first = 0;
                while (first < got.size() && got[first] == want[first]) ++first;
                EXPECT_EQ(first, got.size()) << name_of(t) << " " << variant_name(v) << ": first differing byte "
                                             << first << " of " << got.size();
            }
        }
    }
}

TEST(CpuQuantDot, EveryWeightTypeHasAKernelAndToFloat) {
    for (GgmlType t : kTypes) {
        EXPECT_TRUE(type_supported_for_compute(t)) << name_of(t);
        ASSERT_NE(dot_kernel(t), nullptr) << name_of(t);
        std::vector<uint8_t> zero(quant::row_bytes(t, 256), 0);
        std::vector<float> out(256, 1.0f);
        EXPECT_TRUE(to_float(t, zero.data(), out.data(), 256));
    }
    EXPECT_EQ(dot_kernel(GgmlType::IQ2_XXS), nullptr);
    EXPECT_FALSE(type_supported_for_compute(GgmlType::IQ2_XXS));
}

TEST(CpuQuantDot, ReportsWhatEachVariantImplements) {
    for (Variant v : {Variant::Scalar, Variant::Avx2, Variant::Avx512, Variant::Neon}) {
        if (!variant_available(v)) {
            std::printf("%-7s not available on this CPU/build\n", variant_name(v));
            continue;
        }
        std::string own;
        for (GgmlType t : kTypes)
            if (variant_implements(t, v)) own += std::string(" ") + name_of(t);
        std::printf("%-7s own kernels:%s; VNNI/dotprod kernels in use: %s\n", variant_name(v), own.c_str(),
                    dot_kernel(GgmlType::Q4_0, v) != dot_kernel_baseline(GgmlType::Q4_0, v) ? "yes" : "no");
        EXPECT_TRUE(variant_implements(GgmlType::F32, v) || v == Variant::Neon);
    }
    std::printf("active variant: %s\n", variant_name(active_variant()));
}

}  // namespace
}  // namespace lamina::cpu
