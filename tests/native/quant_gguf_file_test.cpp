// The block decoders against files written by llama.cpp's quantizer (shared test data): the
// quantized variants of llama2-gqa256 hold the same weights as its F16 file, so every decoded
// tensor must match the F16 one within its type's quantization error; a layout error (nibble
// order, scale packing, sub-block order) lands near or above 100% relative error instead. For
// Q8_0 and Q4_0 the reference quantizers are idempotent, so re-quantizing the decoded tensor
// must reproduce llama.cpp's bytes exactly.
// (Needs the GGUF reader, so it is not part of the stand-alone NEON kernel build.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cpu/kernels.h"
#include "gguf/gguf_file.h"
#include "quant/quantize.h"
#include "test_data.h"

namespace lamina {
namespace {

std::vector<float> decode(const GgufTensorInfo &t) {
    std::vector<float> v(static_cast<size_t>(t.n_elements()));
    EXPECT_TRUE(cpu::to_float(t.type, t.data, v.data(), t.n_elements())) << t.name;
    return v;
}

// Relative RMS bounds on roughly Gaussian weights (see quant_roundtrip_test.cpp for the
// derivation; Q4_0: step amax/8 over 32 values, ~0.076; Q8_0 ~0.0045).
double bound_for(GgmlType t) {
    switch (t) {
        case GgmlType::Q8_0: return 0.008;
        case GgmlType::Q4_0: return 0.11;
        case GgmlType::Q4_K: return 0.10;
        case GgmlType::Q6_K: return 0.025;
        default: return 0.0;
    }
}

void check_against_f16(const std::string &variant) {
    const std::string ref_path = testing::require_test_file("models/llama2-gqa256-f16.gguf");
    const std::string q_path = testing::require_test_file("models/llama2-gqa256-" + variant + ".gguf");
    if (ref_path.empty() || q_path.empty()) return;
    const auto ref = GgufFile::open(ref_path);
    const auto q = GgufFile::open(q_path);
    int checked = 0;
    double worst = 0;
    for (const GgufTensorInfo &t : q->tensors()) {
        if (t.type == GgmlType::F32) continue;
        SCOPED_TRACE(variant + " tensor " + std::string(t.name));
        const GgufTensorInfo *r = ref->find_tensor(t.name);
        ASSERT_NE(r, nullptr);
        ASSERT_EQ(r->n_elements(), t.n_elements());
        const std::vector<float> got = decode(t), want = decode(*r);
        double err2 = 0, sig2 = 0;
        for (size_t i = 0; i < got.size(); ++i) {
            ASSERT_TRUE(std::isfinite(got[i])) << "element " << i;
            err2 += double(got[i] - want[i]) * (got[i] - want[i]);
            sig2 += double(want[i]) * want[i];
        }
        const double rel = std::sqrt(err2 / sig2);
        const double bound = bound_for(t.type);
        ASSERT_GT(bound, 0.0) << "no bound for type " << type_geometry(static_cast<uint32_t>(t.type)).name;
        EXPECT_LE(rel, bound) << type_geometry(static_cast<uint32_t>(t.type)).name;
        worst = std::max(worst, rel / bound);

        if (t.type == GgmlType::Q8_0 || t.type == GgmlType::Q4_0) {
            std::vector<uint8_t> again(t.n_bytes);
            const int64_t n_per_row = t.ne[0];
            ASSERT_TRUE(quant::quantize(t.type, got.data(), again.data(), t.n_elements() / n_per_row, n_per_row));
            EXPECT_EQ(0, std::memcmp(again.data(), t.data, t.n_bytes)) << "re-quantized bytes differ";
        }
        ++checked;
    }
    EXPECT_GT(checked, 0);
    std::printf("%s: %d tensors, worst relative RMS error %.0f%% of its bound\n", variant.c_str(), checked,
                100 * worst);
}

TEST(QuantGgufFile, Q8_0MatchesF16AndRequantizesExactly) { check_against_f16("q8_0"); }
TEST(QuantGgufFile, Q4_0MatchesF16AndRequantizesExactly) { check_against_f16("q4_0"); }
TEST(QuantGgufFile, Q4_K_MMatchesF16) { check_against_f16("q4_k_m"); }
TEST(QuantGgufFile, Q6_KMatchesF16) { check_against_f16("q6_k"); }

}  // namespace
}  // namespace lamina
