// The interleaved-row layouts (quant/interleaved.h) and their kernels: repacking is lossless,
// the scalar interleaved kernel computes what the plain-layout scalar kernel computes, every
// SIMD variant this machine runs matches the scalar one, and SIMD activation conversion is
// bit-identical to the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/cpu_features.h"
#include "cpu/interleaved_kernels.h"
#include "cpu/kernels.h"
#include "quant/interleaved.h"
#include "random_rows.h"

namespace lamina::cpu {
namespace {

const GgmlType kTypes[] = {GgmlType::Q4_0, GgmlType::Q8_0, GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K};
constexpr int G = quant::kInterleave;

struct Repacked {
    std::vector<uint8_t> groups;
    size_t group_bytes;
};

Repacked repack(GgmlType t, const Rows &rows, int64_t k, int64_t n_rows) {
    Repacked r{{}, quant::interleaved_group_bytes(t, k)};
    r.groups.resize(r.group_bytes * static_cast<size_t>(n_rows / G));
    for (int64_t g = 0; g < n_rows / G; ++g) {
        quant::repack_group(t, rows.data.data() + g * G * rows.stride, rows.stride, k, r.groups.data() + g * r.group_bytes);
    }
    return r;
}

std::vector<float> random_activations(int64_t n, std::mt19937 &rng) {
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::vector<float> x(static_cast<size_t>(n));
    for (float &v : x) v = gauss(rng);
    return x;
}

// out[t * n_rows + r] through an interleaved kernel.
std::vector<float> interleaved_product(const InterleavedKernel &kern, const Repacked &w, int64_t k, int64_t n_rows,
                                       const std::vector<float> &x, int64_t n_act) {
    const size_t stride = kern.act_row_bytes(k) + 4;  // deliberately not a multiple of 64
    std::vector<uint8_t> act(stride * n_act);
    for (int64_t t = 0; t < n_act; ++t) kern.convert_act(x.data() + t * k, act.data() + t * stride, k);
    std::vector<float> out(static_cast<size_t>(n_act * n_rows), NAN);
    kern.gemm(k, w.groups.data(), w.group_bytes, n_rows / G, act.data(), stride, n_act, out.data(), n_rows);
    return out;
}

TEST(InterleavedLayout, RepackRoundTripsEveryRow) {
    std::mt19937 rng(test_seed("InterleavedLayout"));
    for (GgmlType t : kTypes) {
        for (int64_t k : {256, 768}) {
            const Rows rows = make_rows(t, k, 2 * G, 0, /*bits=*/true, rng);
            const Repacked w = repack(t, rows, k, 2 * G);
            EXPECT_EQ(w.group_bytes * 2, quant::interleaved_group_bytes(t, k) * 2);
            std::vector<uint8_t> back(rows.stride);
            for (int r = 0; r < 2 * G; ++r) {
                quant::unpack_group_row(t, w.groups.data() + (r / G) * w.group_bytes, k, r % G, back.data());
                ASSERT_EQ(0, std::memcmp(back.data(), rows.data.data() + r * rows.stride, rows.stride))
                    << name_of(t) << " k=" << k << " row " << r;
            }
        }
    }
}

// The interleaved scalar kernel against the plain-layout scalar kernel on the same weights: the
// activations are quantized the same way, so only float summation order differs.
TEST(InterleavedKernels, ScalarMatchesPlainLayout) {
    std::mt19937 rng(test_seed("InterleavedKernels.Plain"));
    for (GgmlType t : kTypes) {
        const InterleavedKernel *ik = interleaved_kernel(t, Variant::Scalar);
        const DotKernel *dk = dot_kernel(t, Variant::Scalar);
        ASSERT_NE(ik, nullptr) << name_of(t);
        ASSERT_NE(dk, nullptr) << name_of(t);
        const int64_t k = 512, n_rows = 3 * G, n_act = 5;
        const Rows rows = make_rows(t, k, n_rows, 0, /*bits=*/false, rng);
        const Repacked w = repack(t, rows, k, n_rows);
        const std::vector<float> x = random_activations(k * n_act, rng);
        const std::vector<float> got = interleaved_product(*ik, w, k, n_rows, x, n_act);
        std::vector<uint8_t> act(dk->act_row_bytes(k));
        std::vector<float> want(n_rows);
        for (int64_t a = 0; a < n_act; ++a) {
            dk->convert_act(x.data() + a * k, act.data(), k);
            dk->dot_rows(k, rows.data.data(), rows.stride, n_rows, act.data(), want.data());
            for (int64_t r = 0; r < n_rows; ++r) {
                EXPECT_NEAR(got[a * n_rows + r], want[r], 1e-3f * (1.0f + std::fabs(want[r])))
                    << name_of(t) << " act " << a << " row " << r;
            }
        }
    }
}

TEST(InterleavedKernels, EveryVariantMatchesScalar) {
    std::mt19937 rng(test_seed("InterleavedKernels.Variants"));
    int checked = 0;
    for (GgmlType t : kTypes) {
        const InterleavedKernel *ref = interleaved_kernel(t, Variant::Scalar);
        for (Variant v : {Variant::Avx2, Variant::Avx512, Variant::Neon}) {
            for (bool ext : {true, false}) {
                const InterleavedKernel *kern = interleaved_kernel(t, v, ext);
                if (kern == nullptr) continue;
                for (int64_t n_act : {1, 3, 8, 11, 17}) {
                    const int64_t k = 768, n_rows = 2 * G;
                    const Rows rows = make_rows(t, k, n_rows, 0, /*bits=*/true, rng);
                    const Repacked w = repack(t, rows, k, n_rows);
                    const std::vector<float> x = random_activations(k * n_act, rng);
                    const std::vector<float> want = interleaved_product(*ref, w, k, n_rows, x, n_act);
                    const std::vector<float> got = interleaved_product(*kern, w, k, n_rows, x, n_act);
                    // Block terms (scale x integer sum, minus mins x sums for Q4_K) can cancel, so the
                    // rounding bound scales with the largest output and the number of blocks; a
                    // wrong nibble, scale or row lands at the outputs' own magnitude.
                    float max_abs = 0.0f;
                    for (float v : want) max_abs = std::max(max_abs, std::fabs(v));
                    const float tol = 4e-6f * static_cast<float>(k / 32) * (1.0f + max_abs);
                    for (size_t i = 0; i < want.size(); ++i) {
                        ASSERT_NEAR(got[i], want[i], tol)
                            << name_of(t) << " " << variant_name(v) << (ext ? "" : " baseline") << " n_act=" << n_act
                            << " output " << i;
                    }
                    ++checked;
                }
            }
        }
    }
    std::printf("checked %d variant/type/batch combinations\n", checked);
}

TEST(InterleavedKernels, ActivationConversionIsBitIdentical) {
    std::mt19937 rng(test_seed("InterleavedKernels.Act"));
    for (GgmlType t : kTypes) {
        const InterleavedKernel *ref = interleaved_kernel(t, Variant::Scalar);
        for (Variant v : {Variant::Avx2, Variant::Avx512, Variant::Neon}) {
            const InterleavedKernel *kern = interleaved_kernel(t, v);
            if (kern == nullptr) continue;
            const int64_t k = 1024;
            std::vector<float> x = random_activations(k, rng);
            for (int i = 0; i < 32; ++i) x[i] = 0.0f;  // an all-zero block: scale 0, no division by it
            std::vector<uint8_t> want(ref->act_row_bytes(k)), got(kern->act_row_bytes(k));
            ref->convert_act(x.data(), want.data(), k);
            kern->convert_act(x.data(), got.data(), k);
            EXPECT_EQ(want, got) << name_of(t) << " " << variant_name(v);
        }
    }
}

// The variants with byte dot products (AVX-512, NEON with dotprod) must have kernels for every
// type, or the loader would silently keep the slower file layout.
TEST(InterleavedKernels, FastVariantsHaveEveryType) {
    if (variant_available(Variant::Avx512)) {
        for (GgmlType t : kTypes) {
            EXPECT_NE(interleaved_kernel(t, Variant::Avx512, true), nullptr) << name_of(t);
            // Without VNNI, Q8_0 keeps the file layout (VPMADDUBSW would saturate on its offset quants).
            if (t != GgmlType::Q8_0) {
                EXPECT_NE(interleaved_kernel(t, Variant::Avx512, false), nullptr) << name_of(t);
            }
        }
        EXPECT_EQ(interleaved_kernel(GgmlType::Q8_0, Variant::Avx512, false), nullptr);
    } else if (variant_available(Variant::Neon) && cpu_features().neon_dotprod) {
        for (GgmlType t : kTypes) EXPECT_NE(interleaved_kernel(t, Variant::Neon, true), nullptr) << name_of(t);
        EXPECT_EQ(interleaved_kernel(GgmlType::Q4_0, Variant::Neon, false), nullptr);
    } else {
        GTEST_SKIP() << "neither AVX-512 nor NEON dotprod on this CPU";
    }
}

}  // namespace
}  // namespace lamina::cpu
