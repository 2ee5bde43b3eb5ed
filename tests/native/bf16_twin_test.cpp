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
#include "logit_rows.h"
#include "test_data.h"

namespace {

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
    const lamina::testing::PromptLogits ref = lamina::testing::prompt_logits(f32_path, prompt);
    const lamina::testing::PromptLogits bf16 = lamina::testing::prompt_logits(bf16_path, prompt);
    ASSERT_EQ(ref.rows.size(), bf16.rows.size());
    ASSERT_FALSE(ref.rows.empty());
    for (size_t r = 0; r < ref.n_rows(); ++r) {
        const double rel = lamina::testing::row_relative_error(bf16.row(r), ref.row(r), ref.n_vocab);
        EXPECT_LE(rel, 1e-2) << "row " << r;
        EXPECT_GT(rel, 0.0) << "BF16 rounding should change something; is the twin really BF16?";
    }
    std::remove(bf16_path.c_str());
}

}  // namespace
