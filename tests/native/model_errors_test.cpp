// Bad models and misuse through the C ABI: each is a status plus a message naming the
// problem, and the library keeps working afterwards.
#include <gtest/gtest.h>

#include <cstdio>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "lamina.h"
#include "model/arch/architecture.h"
#include "test_data.h"

namespace {

const char *kBaseModel = "models/llama2-mha-f32.gguf";

using MetadataEdit = std::function<void(lamina::GgufWriter &, const lamina::GgufFile &)>;
// Returns true when it wrote (or dropped) the tensor itself.
using TensorEdit = std::function<bool(const lamina::GgufTensorInfo &, lamina::GgufWriter &)>;

// Writes a copy of `base` (a file under the test data) to a temporary path, letting the edits
// change metadata and tensors; returns the path ("" when the base is missing).
std::string write_edited(const MetadataEdit &edit_metadata, const TensorEdit &edit_tensor,
                         const char *base = kBaseModel) {
    const std::string base_path = lamina::testing::require_test_file(base);
    if (base_path.empty()) return "";
    auto src = lamina::GgufFile::open(base_path);
    lamina::GgufWriter w;
    w.copy_metadata(*src);
    edit_metadata(w, *src);
    for (const lamina::GgufTensorInfo &t : src->tensors()) {
        if (edit_tensor && edit_tensor(t, w)) continue;
        w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims), t.data, t.n_bytes);
    }
    const std::string path = lamina::testing::temp_path("edited");
    w.write(path);
    return path;
}

// Copies the base model, letting the edits change metadata and tensors, and loads the copy.
struct Edited {
    lm_status status;
    std::string message;
};

Edited load_edited(const MetadataEdit &edit_metadata, const TensorEdit &edit_tensor, const char *base = kBaseModel) {
    const std::string path = write_edited(edit_metadata, edit_tensor, base);
    if (path.empty()) return {LM_ERR_IO, "no base model"};
    lm_model *model = nullptr;
    const lm_status status = lm_model_load(path.c_str(), lm_model_default_params(), &model);
    Edited result{status, status == LM_OK ? "" : lm_last_error()};
    lm_model_free(model);
    std::remove(path.c_str());
    return result;
}

void expect_contains(const std::string &message, const std::string &needle) {
    EXPECT_NE(message.find(needle), std::string::npos) << "message: " << message;
}

TEST(ModelErrors, UnmodifiedCopyLoads) {
    const Edited e = load_edited([](auto &, auto &) {}, nullptr);
    EXPECT_EQ(e.status, LM_OK) << e.message;
}

TEST(ModelErrors, MissingTensorIsNamed) {
    const Edited e = load_edited([](auto &, auto &) {},
                                 [](const lamina::GgufTensorInfo &t, lamina::GgufWriter &) {
                                     return t.name == "blk.1.ffn_down.weight";
                                 });
    EXPECT_EQ(e.status, LM_ERR_BAD_FORMAT);
    expect_contains(e.message, "blk.1.ffn_down.weight");
    expect_contains(e.message, "missing");
}

TEST(ModelErrors, WrongTensorShapeIsNamed) {
    const Edited e = load_edited([](auto &, auto &) {},
                                 [](const lamina::GgufTensorInfo &t, lamina::GgufWriter &w) {
                                     if (t.name != "blk.0.attn_q.weight") return false;
                                     // Same bytes, rows and columns swapped in a non-square way.
                                     w.add_tensor(t.name, t.type, {t.ne[0] / 2, t.ne[1] * 2}, t.data, t.n_bytes);
                                     return true;
                                 });
    EXPECT_EQ(e.status, LM_ERR_BAD_FORMAT);
    expect_contains(e.message, "blk.0.attn_q.weight");
    expect_contains(e.message, "shape");
}

TEST(ModelErrors, MissingKeyIsNamed) {
    const Edited e = load_edited([](lamina::GgufWriter &w, auto &) { w.remove("llama.embedding_length"); }, nullptr);
    EXPECT_EQ(e.status, LM_ERR_BAD_FORMAT);
    expect_contains(e.message, "llama.embedding_length");
}

TEST(ModelErrors, UnsupportedArchitectureIsNamed) {
    const Edited e = load_edited([](lamina::GgufWriter &w, auto &) { w.set_string("general.architecture", "mamba"); },
                                 nullptr);
    EXPECT_EQ(e.status, LM_ERR_UNSUPPORTED);
    expect_contains(e.message, "mamba");
}

TEST(ModelErrors, NormWithWrongLengthIsNamed) {
    const Edited e = load_edited([](auto &, auto &) {},
                                 [](const lamina::GgufTensorInfo &t, lamina::GgufWriter &w) {
                                     if (t.name != "output_norm.weight") return false;
                                     w.add_tensor(t.name, t.type, {t.ne[0] / 2}, t.data, t.n_bytes / 2);
                                     return true;
                                 });
    EXPECT_EQ(e.status, LM_ERR_BAD_FORMAT);
    expect_contains(e.message, "output_norm.weight");
}

TEST(ModelErrors, LayersBeyondBlockCountAreRefused) {
    const Edited e = load_edited([](lamina::GgufWriter &w, auto &) { w.set_u32("llama.block_count", 1); }, nullptr);
    EXPECT_EQ(e.status, LM_ERR_BAD_FORMAT);
    expect_contains(e.message, "block_count 1");
    expect_contains(e.message, "9 tensors in the file are not used: 'blk.1.attn_norm.weight', ");
    expect_contains(e.message, "'blk.1.ffn_down.weight'");
}

TEST(ModelErrors, UnknownTensorsAreRefusedListingTenAndACount) {
    const Edited e = load_edited([](auto &, auto &) {},
                                 [](const lamina::GgufTensorInfo &t, lamina::GgufWriter &w) {
                                     if (t.name != "output_norm.weight") return false;
                                     w.add_tensor(t.name, t.type, {t.ne[0]}, t.data, t.n_bytes);
                                     for (int i = 0; i < 12; ++i) {
                                         w.add_tensor("extra." + std::to_string(i), t.type, {t.ne[0]}, t.data, t.n_bytes);
                                     }
                                     return true;
                                 });
    EXPECT_EQ(e.status, LM_ERR_BAD_FORMAT);
    expect_contains(e.message, "12 tensors in the file are not used: 'extra.0', 'extra.1', ");
    expect_contains(e.message, "'extra.9' and 2 more");
    EXPECT_EQ(e.message.find("extra.10"), std::string::npos) << e.message;
}

// LLaMA has no per-head QK norms: a Qwen 3 file relabelled `llama` would compute without them.
TEST(ModelErrors, Qwen3FileRelabelledLlamaIsRefusedForItsQkNorms) {
    const Edited e = load_edited(
        [](lamina::GgufWriter &w, const lamina::GgufFile &src) {
            w.set_string("general.architecture", "llama");
            for (const lamina::GgufKv &kv : src.metadata()) {
                const std::string key(kv.key);
                if (key.rfind("qwen3.", 0) != 0) continue;
                w.remove(key);
                w.set_value("llama." + key.substr(6), kv.value);
            }
        },
        nullptr, "models/qwen3-f16.gguf");
    EXPECT_EQ(e.status, LM_ERR_BAD_FORMAT);
    expect_contains(e.message, "architecture 'llama'");
    expect_contains(e.message, "4 tensors in the file are not used: 'blk.0.attn_q_norm.weight', 'blk.0.attn_k_norm.weight'");
}

TEST(ModelErrors, UnknownArchitectureListsTheSupportedOnes) {
    const Edited e = load_edited([](lamina::GgufWriter &w, auto &) { w.set_string("general.architecture", "mamba"); },
                                 nullptr);
    EXPECT_EQ(e.status, LM_ERR_UNSUPPORTED);
    expect_contains(e.message, "architecture 'mamba' is not supported (supported: " + lamina::supported_architectures() + ")");
    for (const lamina::Architecture *a : lamina::architectures()) expect_contains(e.message, a->name);
}

TEST(ModelErrors, ExpertTensorsWithoutExpertCountAreRefused) {
    const Edited e = load_edited(
        [](lamina::GgufWriter &w, auto &) {
            w.remove("llama.expert_count");
            w.remove("llama.expert_used_count");
        },
        nullptr, "models/mixtral-moe-f32.gguf");
    EXPECT_EQ(e.status, LM_ERR_BAD_FORMAT);
    expect_contains(e.message, "8 tensors in the file are not used: 'blk.0.ffn_gate_inp.weight'");
}

// A float hyperparameter set to a value no working model has.
struct DegenerateFloat {
    const char *key;
    float value;
    const char *problem;  // "not finite" or "out of range"
};

void PrintTo(const DegenerateFloat &d, std::ostream *out) { *out << d.key << " = " << d.value; }

class DegenerateHparams : public ::testing::TestWithParam<DegenerateFloat> {};

TEST_P(DegenerateHparams, AreRefusedNamingKeyAndValue) {
    const DegenerateFloat &d = GetParam();
    const Edited e = load_edited(
        [&](lamina::GgufWriter &w, auto &) {
            w.set_f32(d.key, d.value);
            // The factor is only used with linear scaling; set it so the value would be used.
            if (std::string(d.key) == "llama.rope.scaling.factor") w.set_string("llama.rope.scaling.type", "linear");
        },
        nullptr);
    EXPECT_EQ(e.status, LM_ERR_BAD_FORMAT) << e.message;
    expect_contains(e.message, std::string("metadata '") + d.key + "' = ");
    expect_contains(e.message, d.problem);
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

INSTANTIATE_TEST_SUITE_P(
    EveryFloatKey, DegenerateHparams,
    ::testing::Values(DegenerateFloat{"llama.rope.freq_base", kNaN, "is not finite"},
                      DegenerateFloat{"llama.rope.freq_base", kInf, "is not finite"},
                      DegenerateFloat{"llama.rope.freq_base", 0.0f, "is out of range"},
                      DegenerateFloat{"llama.rope.freq_base", -10000.0f, "is out of range"},
                      DegenerateFloat{"llama.attention.layer_norm_rms_epsilon", kInf, "is not finite"},
                      DegenerateFloat{"llama.attention.layer_norm_rms_epsilon", kNaN, "is not finite"},
                      DegenerateFloat{"llama.attention.layer_norm_rms_epsilon", -1e-5f, "is out of range"},
                      DegenerateFloat{"llama.attention.layer_norm_rms_epsilon", 0.0f, "is out of range"},
                      DegenerateFloat{"llama.rope.scaling.factor", 1e-30f, "is out of range"},
                      DegenerateFloat{"llama.rope.scaling.factor", kNaN, "is not finite"},
                      DegenerateFloat{"llama.rope.scaling.factor", -4.0f, "is out of range"}));

TEST(ModelErrors, LinearRopeScalingWithAGoodFactorLoads) {
    const Edited e = load_edited(
        [](lamina::GgufWriter &w, auto &) {
            w.set_string("llama.rope.scaling.type", "linear");
            w.set_f32("llama.rope.scaling.factor", 4.0f);
        },
        nullptr);
    EXPECT_EQ(e.status, LM_OK) << e.message;
}

class DegenerateRopeFreqs : public ::testing::TestWithParam<float> {};

TEST_P(DegenerateRopeFreqs, AreRefusedNamingTensorElementAndValue) {
    const float bad = GetParam();
    const Edited e = load_edited(
        [](auto &, auto &) {},
        [&](const lamina::GgufTensorInfo &t, lamina::GgufWriter &w) {
            if (t.name != "rope_freqs.weight") return false;
            std::vector<float> divisors(t.n_elements());
            std::memcpy(divisors.data(), t.data, t.n_bytes);
            divisors[2] = bad;
            w.add_tensor(t.name, t.type, {t.ne[0]}, divisors.data(), t.n_bytes);
            return true;
        },
        "models/llama3-gqa-f16.gguf");
    EXPECT_EQ(e.status, LM_ERR_BAD_FORMAT) << e.message;
    expect_contains(e.message, "tensor 'rope_freqs.weight' element 2 = ");
}

INSTANTIATE_TEST_SUITE_P(ZeroNaNNegativeInfinite, DegenerateRopeFreqs, ::testing::Values(0.0f, kNaN, -2.0f, kInf));

// Writes a copy of `base` whose tensor `name` has element `index` set to `value`.
std::string write_with_element(const char *base, const std::string &name, size_t index, float value) {
    return write_edited([](auto &, auto &) {},
                        [&](const lamina::GgufTensorInfo &t, lamina::GgufWriter &w) {
                            if (t.name != name) return false;
                            std::vector<float> data(t.n_elements());
                            std::memcpy(data.data(), t.data, t.n_bytes);
                            data.at(index) = value;
                            w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims), data.data(),
                                         t.n_bytes);
                            return true;
                        },
                        base);
}

// A session on a model file written by the test (removed afterwards).
class EditedSession {
public:
    explicit EditedSession(const std::string &path) : path_(path) {
        EXPECT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model_), LM_OK) << lm_last_error();
        lm_session_params sp = lm_session_default_params();
        sp.n_ctx = 32;
        sp.n_threads = 2;
        if (model_ != nullptr) EXPECT_EQ(lm_session_new(model_, sp, &session_), LM_OK) << lm_last_error();
    }
    ~EditedSession() {
        lm_session_free(session_);
        lm_model_free(model_);
        std::remove(path_.c_str());
    }
    lm_session *get() const { return session_; }

private:
    std::string path_;
    lm_model *model_ = nullptr;
    lm_session *session_ = nullptr;
};

int32_t n_past(lm_session *s) {
    int32_t n = -1;
    EXPECT_EQ(lm_session_n_past(s, &n), LM_OK);
    return n;
}

TEST(NonFiniteLogits, AreAnErrorNamingTheFirstLayerAndTensor) {
    const EditedSession s(write_with_element(kBaseModel, "blk.1.attn_output.weight", 7, kNaN));
    ASSERT_NE(s.get(), nullptr);
    const lm_token prompt[3] = {1, 450, 4996};
    for (bool all_logits : {false, true}) {
        EXPECT_EQ(lm_session_eval(s.get(), prompt, 3, 0, all_logits), LM_ERR_BAD_FORMAT);
        expect_contains(lm_last_error(),
                        "non-finite values in the evaluation: first in layer 1, attention output "
                        "(blk.1.attn_output.weight)");
        // No logits are handed out, and the batch's positions are dropped.
        const float *logits = nullptr;
        EXPECT_EQ(lm_session_logits(s.get(), -1, &logits), LM_ERR_INVALID_ARGUMENT);
        EXPECT_EQ(n_past(s.get()), 0);
    }
}

TEST(NonFiniteLogits, TheSessionGoesOnAfterARewind) {
    // An infinity in one row of the token embedding poisons only the batches holding that
    // token once the output matrix is a clean copy of its own (the file ties the two).
    const lm_token poisoned = 300;
    const EditedSession s(write_edited(
        [](auto &, auto &) {},
        [&](const lamina::GgufTensorInfo &t, lamina::GgufWriter &w) {
            if (t.name != "token_embd.weight") return false;
            const std::vector<int64_t> shape(t.ne, t.ne + t.n_dims);
            w.add_tensor("output.weight", t.type, shape, t.data, t.n_bytes);
            std::vector<float> rows(t.n_elements());
            std::memcpy(rows.data(), t.data, t.n_bytes);
            rows.at(static_cast<size_t>(t.ne[0]) * poisoned + 5) = kInf;
            w.add_tensor(t.name, t.type, shape, rows.data(), t.n_bytes);
            return true;
        },
        "models/stories260K-f32.gguf"));
    ASSERT_NE(s.get(), nullptr);
    const lm_token good[2] = {1, 400};
    ASSERT_EQ(lm_session_eval(s.get(), good, 2, 0, false), LM_OK) << lm_last_error();
    EXPECT_EQ(lm_session_eval(s.get(), &poisoned, 1, 2, false), LM_ERR_BAD_FORMAT);
    expect_contains(lm_last_error(), "first in the token embedding (token_embd.weight)");
    EXPECT_EQ(n_past(s.get()), 2);
    const lm_token next = 401;
    ASSERT_EQ(lm_session_eval(s.get(), &next, 1, 2, false), LM_OK) << lm_last_error();
    const float *logits = nullptr;
    ASSERT_EQ(lm_session_logits(s.get(), -1, &logits), LM_OK);
    for (int i = 0; i < 512; ++i) ASSERT_TRUE(std::isfinite(logits[i])) << "logit " << i;
    EXPECT_EQ(n_past(s.get()), 3);
}

TEST(NonFiniteLogits, NaNInANormWeightNamesTheNorm) {
    const EditedSession s(write_with_element(kBaseModel, "blk.0.ffn_norm.weight", 3, kNaN));
    ASSERT_NE(s.get(), nullptr);
    const lm_token bos = 1;
    EXPECT_EQ(lm_session_eval(s.get(), &bos, 1, 0, false), LM_ERR_BAD_FORMAT);
    expect_contains(lm_last_error(), "first in layer 0, feed-forward norm (blk.0.ffn_norm.weight)");
}

class SessionErrors : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string path = lamina::testing::require_test_file(kBaseModel);
        ASSERT_FALSE(path.empty());
        ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model_), LM_OK) << lm_last_error();
        lm_session_params sp = lm_session_default_params();
        sp.n_ctx = 16;
        sp.n_threads = 2;
        ASSERT_EQ(lm_session_new(model_, sp, &session_), LM_OK) << lm_last_error();
    }
    void TearDown() override {
        lm_session_free(session_);
        lm_model_free(model_);
    }
    lm_model *model_ = nullptr;
    lm_session *session_ = nullptr;
};

TEST_F(SessionErrors, PromptLongerThanContext) {
    std::vector<lm_token> tokens(17, 100);
    EXPECT_EQ(lm_session_eval(session_, tokens.data(), 17, 0, false), LM_ERR_CONTEXT_FULL);
    expect_contains(lm_last_error(), "context holds 16");
    // Nothing is lost: the session still works.
    EXPECT_EQ(lm_session_eval(session_, tokens.data(), 16, 0, false), LM_OK) << lm_last_error();
    lm_token one = 5;
    EXPECT_EQ(lm_session_eval(session_, &one, 1, 16, false), LM_ERR_CONTEXT_FULL);
}

TEST_F(SessionErrors, TokenOutOfRange) {
    const lm_token tokens[3] = {1, 32000, 5};
    EXPECT_EQ(lm_session_eval(session_, tokens, 3, 0, false), LM_ERR_INVALID_ARGUMENT);
    expect_contains(lm_last_error(), "token id 32000");
    expect_contains(lm_last_error(), "batch index 1");
    char buf[16];
    size_t len = 0;
    EXPECT_EQ(lm_token_to_piece(model_, -3, false, buf, sizeof buf, &len), LM_ERR_INVALID_ARGUMENT);
    expect_contains(lm_last_error(), "-3");
}

TEST_F(SessionErrors, PositionBeyondCache) {
    const lm_token t = 1;
    EXPECT_EQ(lm_session_eval(session_, &t, 1, 3, false), LM_ERR_INVALID_ARGUMENT);
    expect_contains(lm_last_error(), "position 3");
}

TEST_F(SessionErrors, RewindGivesTheSameLogits) {
    // The prompt's last token is evaluated alone both times, so both runs take the same
    // single-token kernel path and must agree bit for bit.
    const lm_token prompt[4] = {1, 450, 4996, 17354};
    ASSERT_EQ(lm_session_eval(session_, prompt, 3, 0, false), LM_OK);
    ASSERT_EQ(lm_session_eval(session_, prompt + 3, 1, 3, false), LM_OK);
    const float *first = nullptr;
    ASSERT_EQ(lm_session_logits(session_, -1, &first), LM_OK);
    const std::vector<float> expected(first, first + 32000);
    const lm_token other = 3000;
    ASSERT_EQ(lm_session_eval(session_, &other, 1, 4, false), LM_OK);
    ASSERT_EQ(lm_session_truncate(session_, 3), LM_OK);
    int32_t n_past = -1;
    ASSERT_EQ(lm_session_n_past(session_, &n_past), LM_OK);
    EXPECT_EQ(n_past, 3);
    ASSERT_EQ(lm_session_eval(session_, prompt + 3, 1, 3, false), LM_OK);
    const float *again = nullptr;
    ASSERT_EQ(lm_session_logits(session_, -1, &again), LM_OK);
    EXPECT_EQ(std::vector<float>(again, again + 32000), expected);
}

TEST_F(SessionErrors, NullArgumentsAreErrors) {
    EXPECT_EQ(lm_session_eval(nullptr, nullptr, 1, 0, false), LM_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(lm_session_eval(session_, nullptr, 1, 0, false), LM_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(lm_model_get_info(nullptr, nullptr), LM_ERR_INVALID_ARGUMENT);
    lm_session_params bad = lm_session_default_params();
    bad.n_threads = -2;
    lm_session *s = nullptr;
    EXPECT_EQ(lm_session_new(model_, bad, &s), LM_ERR_INVALID_ARGUMENT);
    expect_contains(lm_last_error(), "n_threads");
    EXPECT_EQ(s, nullptr);
}

TEST_F(SessionErrors, TwoCallStringPattern) {
    size_t len = 0;
    EXPECT_EQ(lm_model_meta_string(model_, "general.architecture", nullptr, 0, &len), LM_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(len, 5u);
    char buf[5];
    EXPECT_EQ(lm_model_meta_string(model_, "general.architecture", buf, sizeof buf, &len), LM_OK);
    EXPECT_EQ(std::string(buf, len), "llama");
}

}  // namespace
