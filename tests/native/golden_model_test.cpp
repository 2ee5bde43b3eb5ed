// The acceptance test against llama.cpp, through the C ABI: for each test model, the golden
// prompt tokenizes to prompt_ids, every row of the batched prompt logits is within the
// tolerance of ../shared/README.md, and greedy decoding one token at a time gives greedy_ids.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "golden_files.h"
#include "logit_rows.h"
#include "lamina.h"

using lamina::testing::GoldenCase;
using lamina::testing::row_cosine;
using lamina::testing::row_relative_error;

namespace {

struct GoldenParam {
    const char *golden;
    const char *model;
    double tolerance;   // max |ours - golden| / max |golden| per row
    double min_cosine;  // per-row cosine similarity (0: not checked)
};

class GoldenModelTest : public ::testing::TestWithParam<GoldenParam> {};

TEST_P(GoldenModelTest, MatchesLlamaCpp) {
    const GoldenParam p = GetParam();
    GoldenCase g;
    ASSERT_TRUE(lamina::testing::load_golden(p.golden, p.model, g));

    lm_model *model = nullptr;
    ASSERT_EQ(lm_model_load(g.model_file.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    lm_model_info info{};
    ASSERT_EQ(lm_model_get_info(model, &info), LM_OK);
    ASSERT_EQ(info.n_vocab, g.n_vocab);

    // 1. Tokenization (BOS as the model asks, special tokens parsed).
    std::vector<lm_token> ids(g.prompt.size() + 8);
    size_t n_ids = 0;
    ASSERT_EQ(lm_tokenize(model, g.prompt.data(), g.prompt.size(), info.add_bos, true, ids.data(), ids.size(), &n_ids),
              LM_OK) << lm_last_error();
    ids.resize(n_ids);
    EXPECT_EQ(ids, g.prompt_ids) << "prompt: " << g.prompt;

    // 2. The whole prompt in one batch, logits of every row.
    lm_session_params sp = lm_session_default_params();
    sp.n_ctx = 512;
    sp.n_threads = 2;
    lm_session *session = nullptr;
    ASSERT_EQ(lm_session_new(model, sp, &session), LM_OK) << lm_last_error();
    const int32_t n = static_cast<int32_t>(g.prompt_ids.size());
    ASSERT_EQ(g.logits.size(), static_cast<size_t>(n) * g.n_vocab);
    ASSERT_EQ(lm_session_eval(session, g.prompt_ids.data(), n, 0, true), LM_OK) << lm_last_error();
    double worst = 0, worst_cos = 1;
    for (int32_t row = 0; row < n; ++row) {
        const float *logits = nullptr;
        ASSERT_EQ(lm_session_logits(session, row, &logits), LM_OK);
        const float *golden = g.logits.data() + static_cast<size_t>(row) * g.n_vocab;
        const double err = row_relative_error(logits, golden, g.n_vocab);
        const double cos = row_cosine(logits, golden, g.n_vocab);
        worst = std::max(worst, err);
        worst_cos = std::min(worst_cos, cos);
        EXPECT_LE(err, p.tolerance) << "row " << row;
        EXPECT_GE(cos, p.min_cosine) << "row " << row;
    }
    std::printf("[ %s, cpu %s ] worst row relative error %.3g (tolerance %.g), worst cosine %.6f\n", p.golden,
                lm_cpu_variant(), worst, p.tolerance, worst_cos);

    // 3. Greedy decoding one token at a time.
    lm_sampler_params greedy = lm_sampler_default_params();
    greedy.temperature = 0;
    lm_sampler *sampler = nullptr;
    ASSERT_EQ(lm_sampler_new(greedy, &sampler), LM_OK);
    std::vector<lm_token> generated;
    const float *last = nullptr;
    ASSERT_EQ(lm_session_logits(session, -1, &last), LM_OK);
    for (size_t step = 0; step < g.greedy_ids.size(); ++step) {
        lm_token next = -1;
        ASSERT_EQ(lm_sampler_sample(sampler, last, g.n_vocab, &next), LM_OK);
        generated.push_back(next);
        int32_t n_past = 0;
        ASSERT_EQ(lm_session_n_past(session, &n_past), LM_OK);
        if (n_past >= sp.n_ctx) break;
        ASSERT_EQ(lm_session_eval(session, &next, 1, n_past, false), LM_OK) << lm_last_error();
        ASSERT_EQ(lm_session_logits(session, -1, &last), LM_OK);
    }
    EXPECT_EQ(generated, g.greedy_ids);

    lm_sampler_free(sampler);
    lm_session_free(session);
    lm_model_free(model);
}

INSTANTIATE_TEST_SUITE_P(
    Models, GoldenModelTest,
    // Tolerances from ../shared/README.md: F32 1e-3, F16 5e-3, quantized 5e-2 with cosine >= 0.999.
    ::testing::Values(GoldenParam{"llama2-mha-f32", "llama2-mha-f32", 1e-3, 0},
                      GoldenParam{"llama3-gqa-f16", "llama3-gqa-f16", 5e-3, 0},
                      GoldenParam{"llama2-gqa256-f16", "llama2-gqa256-f16", 5e-3, 0},
                      GoldenParam{"stories260K", "stories260K-f32", 1e-3, 0},
                      GoldenParam{"qwen2-f16", "qwen2-f16", 5e-3, 0},
                      GoldenParam{"llama2-gqa256-q8_0", "llama2-gqa256-q8_0", 5e-2, 0.999},
                      GoldenParam{"llama2-gqa256-q4_0", "llama2-gqa256-q4_0", 5e-2, 0.999},
                      GoldenParam{"llama2-gqa256-q4_k_m", "llama2-gqa256-q4_k_m", 5e-2, 0.999},
                      GoldenParam{"llama2-gqa256-q6_k", "llama2-gqa256-q6_k", 5e-2, 0.999}),
    [](const ::testing::TestParamInfo<GoldenParam> &info) {
        std::string name = info.param.golden;
        std::replace(name.begin(), name.end(), '-', '_');
        return name;
    });

}  // namespace
