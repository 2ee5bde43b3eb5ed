// Embeddings: the final-norm hidden states instead of logits, pooled per text, many texts per
// batch as separate sequences giving what each gives alone.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "lamina.h"
#include "test_data.h"

namespace {

struct Embedder {
    lm_model *model = nullptr;
    lm_session *session = nullptr;
    int32_t n_embd = 0;
    Embedder(const char *file, int32_t n_seq_max) {
        const std::string path = lamina::testing::require_test_file(file);
        EXPECT_FALSE(path.empty());
        EXPECT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
        lm_model_info info{};
        EXPECT_EQ(lm_model_get_info(model, &info), LM_OK);
        n_embd = info.n_embd;
        lm_session_params p = lm_session_default_params();
        p.n_ctx = 256;
        p.kv_type = "f32";
        p.n_seq_max = n_seq_max;
        p.embeddings = true;
        EXPECT_EQ(lm_session_new(model, p, &session), LM_OK) << lm_last_error();
    }
    ~Embedder() {
        lm_session_free(session);
        lm_model_free(model);
    }
    std::vector<float> embed(const std::vector<std::vector<lm_token>> &texts, lm_pooling pooling, bool normalize) {
        std::vector<const lm_token *> ptrs;
        std::vector<int32_t> lengths;
        for (const auto &t : texts) ptrs.push_back(t.data()), lengths.push_back(static_cast<int32_t>(t.size()));
        std::vector<float> out(texts.size() * n_embd);
        EXPECT_EQ(lm_session_embed(session, ptrs.data(), lengths.data(), static_cast<int32_t>(texts.size()), pooling,
                                   normalize, out.data(), out.size()),
                  LM_OK)
            << lm_last_error();
        return out;
    }
};

const std::vector<std::vector<lm_token>> kTexts = {
    {1, 400, 35, 291, 77}, {1, 12}, {1, 310, 499, 64, 200, 17, 5, 99}, {1}, {1, 77, 77, 77}};

double relative(const float *a, const float *b, int32_t n) {
    double diff = 0, scale = 0;
    for (int32_t i = 0; i < n; ++i) diff = std::max(diff, std::fabs(double(a[i]) - b[i])), scale = std::max(scale, std::fabs(double(b[i])));
    return diff / scale;
}

TEST(Embeddings, ABatchOfTextsGivesWhatEachGivesAlone) {
    Embedder e("models/stories260K-f32.gguf", 4);
    for (lm_pooling pooling : {LM_POOLING_MEAN, LM_POOLING_CLS, LM_POOLING_LAST}) {
        const std::vector<float> together = e.embed(kTexts, pooling, false);  // 5 texts: two batches of <= 4
        for (size_t t = 0; t < kTexts.size(); ++t) {
            const std::vector<float> alone = e.embed({kTexts[t]}, pooling, false);
            EXPECT_LT(relative(together.data() + t * e.n_embd, alone.data(), e.n_embd), 1e-5)
                << "text " << t << " pooling " << pooling;
        }
    }
}

TEST(Embeddings, PoolingIsOverTheFinalNormHiddenStates) {
    Embedder e("models/stories260K-f32.gguf", 1);
    const std::vector<lm_token> &text = kTexts[2];
    ASSERT_EQ(lm_session_eval(e.session, text.data(), static_cast<int32_t>(text.size()), 0, true), LM_OK);
    std::vector<std::vector<float>> rows;
    for (int32_t r = 0; r < static_cast<int32_t>(text.size()); ++r) {
        const float *v = nullptr;
        ASSERT_EQ(lm_session_embeddings(e.session, r, &v), LM_OK) << lm_last_error();
        rows.emplace_back(v, v + e.n_embd);
    }
    const float *logits = nullptr;
    EXPECT_EQ(lm_session_logits(e.session, -1, &logits), LM_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(lm_session_truncate(e.session, 0), LM_OK);
    std::vector<float> mean(e.n_embd, 0.0f);
    for (const auto &r : rows)
        for (int32_t d = 0; d < e.n_embd; ++d) mean[d] += r[d] / rows.size();
    EXPECT_LT(relative(e.embed({text}, LM_POOLING_MEAN, false).data(), mean.data(), e.n_embd), 1e-6);
    EXPECT_EQ(e.embed({text}, LM_POOLING_CLS, false), rows.front());
    EXPECT_EQ(e.embed({text}, LM_POOLING_LAST, false), rows.back());
    EXPECT_EQ(e.embed({text}, LM_POOLING_MODEL, false), rows.back()) << "a decoder without pooling_type: LAST";
    const std::vector<float> unit = e.embed({text}, LM_POOLING_MEAN, true);
    double norm = 0;
    for (float x : unit) norm += double(x) * x;
    EXPECT_NEAR(norm, 1.0, 1e-6);
    // The hidden state is RMS-normalised, so each row's RMS is the norm weights' scale: not 0.
    double rms = 0;
    for (float x : rows.back()) rms += double(x) * x;
    EXPECT_GT(rms, 0.0);
}

TEST(Embeddings, MisuseIsRefusedNamingIt) {
    Embedder e("models/stories260K-f32.gguf", 2);
    const lm_token *one[] = {kTexts[0].data()};
    int32_t len[] = {5};
    std::vector<float> out(e.n_embd);
    EXPECT_EQ(lm_session_embed(e.session, one, len, 1, static_cast<lm_pooling>(0), false, out.data(), out.size()),
              LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("per-token"), std::string::npos) << lm_last_error();
    EXPECT_EQ(lm_session_embed(e.session, one, len, 1, LM_POOLING_MEAN, false, out.data(), out.size() - 1),
              LM_ERR_BUFFER_TOO_SMALL);
    std::vector<lm_token> too_long(300, 1);
    const lm_token *longest[] = {too_long.data()};
    int32_t long_len[] = {300};
    EXPECT_EQ(lm_session_embed(e.session, longest, long_len, 1, LM_POOLING_MEAN, false, out.data(), out.size()),
              LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("text 0 has 300 tokens"), std::string::npos) << lm_last_error();
    lm_session_params p = lm_session_default_params();
    p.n_ctx = 64;
    lm_session *plain = nullptr;
    ASSERT_EQ(lm_session_new(e.model, p, &plain), LM_OK);
    EXPECT_EQ(lm_session_embed(plain, one, len, 1, LM_POOLING_MEAN, false, out.data(), out.size()), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("embeddings = true"), std::string::npos) << lm_last_error();
    lm_session_free(plain);
}

}  // namespace
