// Logits of a prompt through the C ABI, and the per-row comparisons ../shared/README.md defines
// (relative error = max |ours - reference| / max |reference|; cosine similarity).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "lamina.h"

namespace lamina::testing {

struct PromptLogits {
    int32_t n_vocab = 0;
    std::vector<float> rows;  // one row of n_vocab logits per prompt token
    size_t n_rows() const { return n_vocab == 0 ? 0 : rows.size() / static_cast<size_t>(n_vocab); }
    const float *row(size_t r) const { return rows.data() + r * static_cast<size_t>(n_vocab); }
};

// Loads `path`, evaluates `prompt` in one batch (context 64, 2 threads) and keeps every row.
inline PromptLogits prompt_logits(const std::string &path, const std::vector<lm_token> &prompt,
                                  const lm_model_params &params = lm_model_default_params()) {
    PromptLogits out;
    lm_model *model = nullptr;
    EXPECT_EQ(lm_model_load(path.c_str(), params, &model), LM_OK) << lm_last_error();
    if (model == nullptr) return out;
    lm_model_info info{};
    lm_model_get_info(model, &info);
    out.n_vocab = info.n_vocab;
    lm_session_params sp = lm_session_default_params();
    sp.n_ctx = 64;
    sp.n_threads = 2;
    lm_session *session = nullptr;
    EXPECT_EQ(lm_session_new(model, sp, &session), LM_OK) << lm_last_error();
    EXPECT_EQ(lm_session_eval(session, prompt.data(), static_cast<int32_t>(prompt.size()), 0, true), LM_OK)
        << lm_last_error();
    for (size_t r = 0; r < prompt.size(); ++r) {
        const float *row = nullptr;
        EXPECT_EQ(lm_session_logits(session, static_cast<int32_t>(r), &row), LM_OK);
        if (row != nullptr) out.rows.insert(out.rows.end(), row, row + info.n_vocab);
    }
    lm_session_free(session);
    lm_model_free(model);
    return out;
}

inline double row_relative_error(const float *ours, const float *reference, int32_t n) {
    double max_diff = 0, max_ref = 0;
    for (int32_t i = 0; i < n; ++i) {
        max_diff = std::max(max_diff, std::fabs(static_cast<double>(ours[i]) - reference[i]));
        max_ref = std::max(max_ref, std::fabs(static_cast<double>(reference[i])));
    }
    return max_diff / max_ref;
}

inline double row_cosine(const float *ours, const float *reference, int32_t n) {
    double dot = 0, a = 0, b = 0;
    for (int32_t i = 0; i < n; ++i) {
        dot += static_cast<double>(ours[i]) * reference[i];
        a += static_cast<double>(ours[i]) * ours[i];
        b += static_cast<double>(reference[i]) * reference[i];
    }
    return dot / std::sqrt(a * b);
}

}  // namespace lamina::testing
