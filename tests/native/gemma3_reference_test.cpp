// Gemma 3 against llama.cpp: a tiny-gemma3 model synthesized here the way
// tests/reference/gemma3/README.md says, evaluated on the reference prompt, matches the logits
// llama.cpp computed on the same file (tests/reference/gemma3/*.logits.f32) row by row, with the
// prompt in one batch and one token at a time through the KV cache. The prompt is longer than the
// window, so the local layers (0-4, 6) drop keys the global one (5) still attends to, and both
// rotary tables (local base 10000; global base 1e6 scaled by 1/8) are in play. Also: the keys
// that lay out the local and global layers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "lamina.h"
#include "logit_rows.h"
#include "test_data.h"

namespace {

constexpr int32_t kVocab = 512;  // stories260K's vocabulary
constexpr uint64_t kSeed = 1;

struct ReferenceCase {
    const char *file_type;  // lamina synth --type
    const char *kv_type;    // the KV cache type llama.cpp ran with, and so do we
    const char *reference;  // under tests/reference/gemma3/
    const char *sha256;     // of the synthesized GGUF the reference was made from
    double tolerance;       // ../shared/README.md's for these weights
};

// The prompt of tests/reference/gemma3/generate.mjs.
std::vector<lm_token> reference_prompt() {
    std::vector<lm_token> p(48);
    for (int32_t i = 0; i < 48; ++i) p[i] = 1 + (i * 37 + 11) % 500;
    return p;
}

std::vector<float> read_reference(const std::string &name, size_t n_rows) {
    const std::string path = std::string(LAMINA_SOURCE_DIR) + "/tests/reference/gemma3/" + name;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << "reference logits '" << path << "' not found";
    std::vector<float> rows(n_rows * kVocab);
    in.read(reinterpret_cast<char *>(rows.data()), static_cast<std::streamsize>(rows.size() * sizeof(float)));
    EXPECT_EQ(static_cast<size_t>(in.gcount()), rows.size() * sizeof(float)) << path << " is too short";
    EXPECT_EQ(in.peek(), std::char_traits<char>::eof()) << path << " is longer than " << n_rows << " rows";
    return rows;
}

class Gemma3Reference : public ::testing::TestWithParam<ReferenceCase> {};

TEST_P(Gemma3Reference, MatchesLlamaCppAtEveryPosition) {
    const ReferenceCase c = GetParam();
    const std::string vocab = lamina::testing::require_test_file("models/stories260K-f32.gguf");
    ASSERT_FALSE(vocab.empty());
    const std::string path = lamina::testing::temp_path(std::string("tiny-gemma3-") + c.file_type);
    lm_synthesize_params sp = lm_synthesize_default_params();
    sp.shape = "tiny-gemma3";
    sp.vocab_path = vocab.c_str();
    sp.file_type = c.file_type;
    sp.seed = kSeed;
    sp.n_threads = 2;
    ASSERT_EQ(lm_model_synthesize(path.c_str(), sp), LM_OK) << lm_last_error();
    // Another file than the reference's would fail below for no reason of the architecture's.
    ASSERT_EQ(lamina::file_sha256(path), c.sha256)
        << "lamina synth no longer writes the file tests/reference/gemma3 was made from: regenerate it "
           "as its README says";

    const std::vector<lm_token> prompt = reference_prompt();
    const std::vector<float> reference = read_reference(c.reference, prompt.size());
    lm_model *model = nullptr;
    ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    lm_model_info info{};
    lm_model_get_info(model, &info);
    ASSERT_STREQ(info.architecture, "gemma3");
    ASSERT_EQ(info.n_vocab, kVocab);
    lm_session_params params = lm_session_default_params();
    params.n_ctx = 128;
    params.n_threads = 2;
    params.kv_type = c.kv_type;
    lm_session *session = nullptr;
    ASSERT_EQ(lm_session_new(model, params, &session), LM_OK) << lm_last_error();

    const auto compare = [&](const float *row, size_t r, const char *how) {
        const float *ref = reference.data() + r * kVocab;
        const double rel = lamina::testing::row_relative_error(row, ref, kVocab);
        EXPECT_LE(rel, c.tolerance) << how << ", position " << r;
        EXPECT_GE(lamina::testing::row_cosine(row, ref, kVocab), 0.9999) << how << ", position " << r;
        return rel;
    };
    // The whole prompt in one batch, as llama.cpp evaluated it.
    double worst = 0, worst_batch = 0;
    ASSERT_EQ(lm_session_eval(session, prompt.data(), static_cast<int32_t>(prompt.size()), 0, true), LM_OK)
        << lm_last_error();
    for (size_t r = 0; r < prompt.size(); ++r) {
        const float *row = nullptr;
        ASSERT_EQ(lm_session_logits(session, static_cast<int32_t>(r), &row), LM_OK);
        worst_batch = std::max(worst_batch, compare(row, r, "one batch"));
    }
    // One token a call: every step's window comes from the cache.
    for (size_t r = 0; r < prompt.size(); ++r) {
        ASSERT_EQ(lm_session_eval(session, &prompt[r], 1, static_cast<int32_t>(r), false), LM_OK) << lm_last_error();
        const float *row = nullptr;
        ASSERT_EQ(lm_session_logits(session, -1, &row), LM_OK);
        worst = std::max(worst, compare(row, r, "one token a call"));
    }
    std::printf("[ tiny-gemma3 %s, kv %s ] %zu rows: worst relative error %.3g in one batch, %.3g one token a call "
                "(tolerance %g)\n",
                c.file_type, c.kv_type, prompt.size(), worst_batch, worst, c.tolerance);
    lm_session_free(session);
    lm_model_free(model);
    std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    TinyGemma3, Gemma3Reference,
    ::testing::Values(
        ReferenceCase{"F32", "f32", "tiny-gemma3-f32.kvf32.logits.f32",
                      "de0c27cb437a434b630f0235932e49d836ee73bc74061c8601df08d64f3c4cc9", 1e-3},
        ReferenceCase{"F16", "f16", "tiny-gemma3-f16.kvf16.logits.f32",
                      "1a85581c5b3f2d7391701865986896bed1aed4567f33ceb3269eda19c4da25e8", 5e-3}),
    [](const auto &info) { return std::string(info.param.file_type); });

// A copy of `base` with its metadata edited.
std::string write_edited(const std::string &base, const std::function<void(lamina::GgufWriter &, const lamina::GgufFile &)> &edit,
                         const std::string &stem) {
    auto src = lamina::GgufFile::open(base);
    lamina::GgufWriter w;
    w.copy_metadata(*src);
    edit(w, *src);
    for (const lamina::GgufTensorInfo &t : src->tensors()) {
        w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims), t.data, t.n_bytes);
    }
    const std::string path = lamina::testing::temp_path(stem);
    w.write(path);
    return path;
}

// The keys that shape Gemma 3's layers: the window is required, the local/global period may be
// given (6 when absent, an integer only), and a different period is a different model.
TEST(Gemma3Hparams, WindowAndPeriodKeys) {
    const std::string vocab = lamina::testing::require_test_file("models/stories260K-f32.gguf");
    ASSERT_FALSE(vocab.empty());
    const std::string base = lamina::testing::temp_path("tiny-gemma3-keys");
    lm_synthesize_params sp = lm_synthesize_default_params();
    sp.shape = "tiny-gemma3";
    sp.vocab_path = vocab.c_str();
    sp.file_type = "F32";
    sp.seed = kSeed;
    sp.n_threads = 2;
    ASSERT_EQ(lm_model_synthesize(base.c_str(), sp), LM_OK) << lm_last_error();
    const auto load_status = [](const std::string &path) {
        lm_model *model = nullptr;
        const lm_status status = lm_model_load(path.c_str(), lm_model_default_params(), &model);
        const std::string message = status == LM_OK ? "" : lm_last_error();
        lm_model_free(model);
        return std::make_pair(status, message);
    };

    const std::string no_window = write_edited(
        base, [](lamina::GgufWriter &w, const lamina::GgufFile &) { w.remove("gemma3.attention.sliding_window"); },
        "gemma3-no-window");
    const auto [status, message] = load_status(no_window);
    EXPECT_EQ(status, LM_ERR_BAD_FORMAT);
    EXPECT_NE(message.find("gemma3.attention.sliding_window"), std::string::npos) << message;

    const std::string array_period = write_edited(
        base,
        [](lamina::GgufWriter &w, const lamina::GgufFile &src) {
            w.set_value("gemma3.attention.sliding_window_pattern", *src.find("tokenizer.ggml.scores"));
        },
        "gemma3-array-period");
    const auto [array_status, array_message] = load_status(array_period);
    EXPECT_EQ(array_status, LM_ERR_UNSUPPORTED);
    EXPECT_NE(array_message.find("sliding_window_pattern"), std::string::npos) << array_message;

    const std::vector<lm_token> prompt = reference_prompt();
    const auto with_period = [&](uint32_t period) {
        const std::string path = write_edited(
            base,
            [period](lamina::GgufWriter &w, const lamina::GgufFile &) {
                w.set_u32("gemma3.attention.sliding_window_pattern", period);
            },
            "gemma3-period-" + std::to_string(period));
        lamina::testing::PromptLogits logits = lamina::testing::prompt_logits(path, prompt);
        std::remove(path.c_str());
        return logits;
    };
    const lamina::testing::PromptLogits absent = lamina::testing::prompt_logits(base, prompt);
    const lamina::testing::PromptLogits six = with_period(6), two = with_period(2);
    ASSERT_EQ(absent.rows.size(), prompt.size() * kVocab);
    EXPECT_EQ(six.rows, absent.rows) << "an explicit period of 6 is the default";
    ASSERT_EQ(two.rows.size(), absent.rows.size());
    const size_t last = prompt.size() - 1;
    EXPECT_GT(lamina::testing::row_relative_error(two.row(last), absent.row(last), kVocab), 1e-2)
        << "a period of 2 makes layers 1, 3 and 5 global";
    for (const std::string &p : {base, no_window, array_period}) std::remove(p.c_str());
}

}  // namespace
