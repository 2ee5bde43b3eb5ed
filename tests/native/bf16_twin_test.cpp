// A BF16 model made here from an F32 one (every matrix rounded to BF16, norms kept F32) loads
// and gives logits within 1e-2 relative error of its F32 twin.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "common/float_convert.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "lamina.h"
#include "test_data.h"

namespace {

std::vector<float> prompt_logits(const std::string &path, const std::vector<lm_token> &prompt, int32_t *n_vocab) {
    lm_model *model = nullptr;
    EXPECT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    if (model == nullptr) return {};
    lm_model_info info{};
    lm_model_get_info(model, &info);
    *n_vocab = info.n_vocab;
    lm_session_params sp = lm_session_default_params();
    sp.n_ctx = 64;
    sp.n_threads = 2;
    lm_session *session = nullptr;
    EXPECT_EQ(lm_session_new(model, sp, &session), LM_OK) << lm_last_error();
    EXPECT_EQ(lm_session_eval(session, prompt.data(), static_cast<int32_t>(prompt.size()), 0, true), LM_OK)
        << lm_last_error();
    std::vector<float> all;
    for (size_t r = 0; r < prompt.size(); ++r) {
        const float *row = nullptr;
        EXPECT_EQ(lm_session_logits(session, static_cast<int32_t>(r), &row), LM_OK);
        all.insert(all.end(), row, row + info.n_vocab);
    }
    lm_session_free(session);
    lm_model_free(model);
    return all;
}

TEST(Bf16Twin, MatchesF32Original) {
    const std::string f32_path = lamina::testing::require_test_file("models/llama2-mha-f32.gguf");
    ASSERT_FALSE(f32_path.empty());
    auto src = lamina::GgufFile::open(f32_path);

    lamina::GgufWriter w;
    w.copy_metadata(*src);
    w.set_u32("general.file_type", 32);  // LLAMA_FTYPE_MOSTLY_BF16
    int converted = 0;
    for (const lamina::GgufTensorInfo &t : src->tensors()) {
        std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
        if (t.type == lamina::GgmlType::F32 && t.n_dims == 2) {
            std::vector<uint16_t> bf(t.n_elements());
            const float *f = reinterpret_cast<const float *>(t.data);
            for (size_t i = 0; i < bf.size(); ++i) bf[i] = lamina::fp32_to_bf16(f[i]);
            w.add_tensor(t.name, lamina::GgmlType::BF16, ne, bf.data(), bf.size() * 2);
            ++converted;
        } else {
            w.add_tensor(t.name, t.type, ne, t.data, t.n_bytes);
        }
    }
    ASSERT_GT(converted, 0);
    const std::string bf16_path = lamina::testing::temp_path("bf16-twin");
    w.write(bf16_path);

    const std::vector<lm_token> prompt = {1, 9038, 2501, 263, 931, 29892, 727, 471};
    int32_t n_vocab = 0;
    const std::vector<float> ref = prompt_logits(f32_path, prompt, &n_vocab);
    const std::vector<float> bf16 = prompt_logits(bf16_path, prompt, &n_vocab);
    ASSERT_EQ(ref.size(), bf16.size());
    ASSERT_FALSE(ref.empty());
    for (size_t r = 0; r < prompt.size(); ++r) {
        double max_diff = 0, max_ref = 0;
        for (int32_t i = 0; i < n_vocab; ++i) {
            const size_t k = r * n_vocab + i;
            max_diff = std::max(max_diff, std::fabs(static_cast<double>(ref[k]) - bf16[k]));
            max_ref = std::max(max_ref, std::fabs(static_cast<double>(ref[k])));
        }
        EXPECT_LE(max_diff / max_ref, 1e-2) << "row " << r;
        EXPECT_GT(max_diff, 0.0) << "BF16 rounding should change something; is the twin really BF16?";
    }
    std::remove(bf16_path.c_str());
}

}  // namespace
