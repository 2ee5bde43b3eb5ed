// `lamina quantize` and `lamina synth` through the C ABI: written files load, their tensor types
// follow the file type, and quantized logits stay close to the original's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "lamina.h"
#include "logit_rows.h"
#include "test_data.h"

namespace {

using lamina::testing::prompt_logits;
using lamina::testing::PromptLogits;

// Worst per-row relative error and cosine similarity of `got` against `ref`.
void compare(const PromptLogits &ref, const PromptLogits &got, double *worst_rel, double *worst_cos) {
    *worst_rel = 0;
    *worst_cos = 1;
    ASSERT_EQ(ref.rows.size(), got.rows.size());
    for (size_t r = 0; r < ref.n_rows(); ++r) {
        *worst_rel = std::max(*worst_rel, lamina::testing::row_relative_error(got.row(r), ref.row(r), ref.n_vocab));
        *worst_cos = std::min(*worst_cos, lamina::testing::row_cosine(got.row(r), ref.row(r), ref.n_vocab));
    }
}

const std::vector<lm_token> kPrompt = {1, 9038, 2501, 263, 931, 29892, 727, 471};

struct QuantizeCase {
    const char *file_type;
    double min_cosine;  // per-row cosine against the F16 original
};

// Random weights are the hardest case for quantizers. For scale, llama.cpp's own files of this
// model (../shared/golden) reach, against its F16 logits: Q8_0 0.9992, Q6_K 0.9928, Q4_K_M 0.9596,
// Q4_0 0.9453. A block format decoded wrongly lands near 0.
class QuantizeModel : public ::testing::TestWithParam<QuantizeCase> {};

TEST_P(QuantizeModel, LoadsAndStaysClose) {
    const std::string src = lamina::testing::require_test_file("models/llama2-gqa256-f16.gguf");
    ASSERT_FALSE(src.empty());
    const QuantizeCase c = GetParam();
    const std::string out = lamina::testing::temp_path(std::string("quantized-") + c.file_type);
    lm_quantize_params qp = lm_quantize_default_params();
    qp.file_type = c.file_type;
    qp.n_threads = 2;
    ASSERT_EQ(lm_model_quantize(src.c_str(), out.c_str(), qp), LM_OK) << lm_last_error();

    const PromptLogits ref = prompt_logits(src, kPrompt), got = prompt_logits(out, kPrompt);
    double rel = 0, cos = 0;
    compare(ref, got, &rel, &cos);
    std::printf("[ %s ] worst row relative error %.3g, worst cosine %.6f against F16\n", c.file_type, rel, cos);
    EXPECT_GE(cos, c.min_cosine);
    if (std::string(c.file_type) == "Q8_0") EXPECT_LE(rel, 5e-2);  // the tolerance of ../shared/README.md

    // The same file in its own layout (no interleaved repacking) computes the same up to float
    // rounding, amplified at most to the quantized tolerance by these random weights.
    lm_model_params plain = lm_model_default_params();
    plain.repack_weights = false;
    double rel_plain = 0, cos_plain = 0;
    compare(prompt_logits(out, kPrompt, plain), got, &rel_plain, &cos_plain);
    std::printf("[ %s ] repacked against the file layout: worst row relative error %.3g, cosine %.6f\n", c.file_type,
                rel_plain, cos_plain);
    EXPECT_LE(rel_plain, 5e-2);
    EXPECT_GE(cos_plain, 0.999);
    std::remove(out.c_str());
}

INSTANTIATE_TEST_SUITE_P(FileTypes, QuantizeModel,
                         ::testing::Values(QuantizeCase{"Q8_0", 0.999}, QuantizeCase{"Q6_K", 0.99},
                                           QuantizeCase{"Q5_1", 0.98}, QuantizeCase{"Q5_K_M", 0.97},
                                           QuantizeCase{"Q4_K_M", 0.93},
                                           QuantizeCase{"Q4_0", 0.92}, QuantizeCase{"Q3_K_M", 0.8}),
                         [](const ::testing::TestParamInfo<QuantizeCase> &info) { return std::string(info.param.file_type); });

TEST(QuantizeModelErrors, UnknownFileTypeIsNamed) {
    lm_quantize_params qp = lm_quantize_default_params();
    qp.file_type = "Q9_X";
    EXPECT_EQ(lm_model_quantize("in.gguf", "out.gguf", qp), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("Q9_X"), std::string::npos);
}

TEST(QuantizeModelErrors, CancelLeavesNoFile) {
    const std::string src = lamina::testing::require_test_file("models/llama2-mha-f32.gguf");
    const std::string out = lamina::testing::temp_path("cancelled");
    lm_quantize_params qp = lm_quantize_default_params();
    qp.file_type = "Q8_0";
    qp.progress = [](int64_t done, int64_t, void *) { return done < 1000; };
    EXPECT_EQ(lm_model_quantize(src.c_str(), out.c_str(), qp), LM_ERR_CANCELLED);
    EXPECT_EQ(std::fopen(out.c_str(), "rb"), nullptr);
    // Nor its temporary file (out + ".tmp-XXXXXX").
    const std::filesystem::path where(out);
    for (const auto &entry : std::filesystem::directory_iterator(where.parent_path())) {
        EXPECT_NE(entry.path().filename().string().rfind(where.filename().string(), 0), 0u) << entry.path();
    }
}

TEST(SynthesizeModel, WritesALoadableModelOfTheShape) {
    const std::string vocab = lamina::testing::require_test_file("vocab/ggml-vocab-llama-spm.gguf");
    const std::string out = lamina::testing::temp_path("synth");
    lm_synthesize_params sp = lm_synthesize_default_params();
    sp.shape = "tiny-64";
    sp.vocab_path = vocab.c_str();
    sp.file_type = "Q8_0";
    sp.n_threads = 2;
    ASSERT_EQ(lm_model_synthesize(out.c_str(), sp), LM_OK) << lm_last_error();
    lm_model *model = nullptr;
    ASSERT_EQ(lm_model_load(out.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    lm_model_info info{};
    lm_model_get_info(model, &info);
    EXPECT_EQ(info.n_embd, 64);
    EXPECT_EQ(info.n_layer, 2);
    EXPECT_EQ(info.n_head_kv, 2);
    EXPECT_EQ(info.n_vocab, 32000);
    EXPECT_EQ(info.file_type, 7);
    lm_model_free(model);
    const PromptLogits logits = prompt_logits(out, kPrompt);
    for (float v : logits.rows) ASSERT_TRUE(std::isfinite(v));
    // The same seed gives the same file.
    const std::string again = lamina::testing::temp_path("synth-again");
    ASSERT_EQ(lm_model_synthesize(again.c_str(), sp), LM_OK) << lm_last_error();
    EXPECT_EQ(prompt_logits(again, kPrompt).rows, logits.rows);
    std::remove(out.c_str());
    std::remove(again.c_str());
}

TEST(SynthesizeModel, UnknownShapeIsNamed) {
    lm_synthesize_params sp = lm_synthesize_default_params();
    sp.shape = "gpt-5";
    sp.vocab_path = "x.gguf";
    EXPECT_EQ(lm_model_synthesize("out.gguf", sp), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("tinyllama-1.1b"), std::string::npos);
}

}  // namespace
