// Saving and restoring a session's state: a restored session continues with exactly the logits
// the original gives; states of another model, KV type or sequence count, and truncated or
// corrupted ones, are refused naming why, and leave the session as it was.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "lamina.h"
#include "test_data.h"

namespace {

struct Loaded {
    lm_model *model = nullptr;
    explicit Loaded(const char *name) {
        const std::string path = lamina::testing::require_test_file(name);
        EXPECT_FALSE(path.empty());
        EXPECT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    }
    ~Loaded() { lm_model_free(model); }
};

lm_session *new_session(const lm_model *model, const char *kv_type = nullptr, int32_t n_seq_max = 0) {
    lm_session_params p = lm_session_default_params();
    p.n_ctx = 128;
    p.kv_type = kv_type;
    p.n_seq_max = n_seq_max;
    lm_session *s = nullptr;
    EXPECT_EQ(lm_session_new(model, p, &s), LM_OK) << lm_last_error();
    return s;
}

std::vector<uint8_t> snapshot(const lm_session *s) {
    size_t len = 0;
    EXPECT_EQ(lm_session_state_save(s, nullptr, 0, &len), LM_ERR_BUFFER_TOO_SMALL);
    std::vector<uint8_t> bytes(len);
    EXPECT_EQ(lm_session_state_save(s, bytes.data(), bytes.size(), &len), LM_OK) << lm_last_error();
    EXPECT_EQ(len, bytes.size());
    return bytes;
}

std::vector<float> last_logits(const lm_session *s, int32_t n_vocab) {
    const float *l = nullptr;
    EXPECT_EQ(lm_session_logits(s, -1, &l), LM_OK) << lm_last_error();
    return l ? std::vector<float>(l, l + n_vocab) : std::vector<float>{};
}

// The logits after feeding each of `tokens` at positions from `pos`.
std::vector<std::vector<float>> continue_with(lm_session *s, const std::vector<lm_token> &tokens, int32_t pos,
                                              int32_t n_vocab) {
    std::vector<std::vector<float>> rows;
    for (lm_token t : tokens) {
        EXPECT_EQ(lm_session_eval(s, &t, 1, pos++, false), LM_OK) << lm_last_error();
        rows.push_back(last_logits(s, n_vocab));
    }
    return rows;
}

const std::vector<lm_token> kPrompt = {1, 400, 35, 291, 77, 310, 12, 499, 64, 200};
const std::vector<lm_token> kNext = {5, 99, 300, 41, 17};

class SessionState : public ::testing::TestWithParam<const char *> {};

TEST_P(SessionState, RestoredSessionContinuesExactly) {
    Loaded m("models/stories260K-f32.gguf");
    lm_model_info info{};
    ASSERT_EQ(lm_model_get_info(m.model, &info), LM_OK);
    lm_session *a = new_session(m.model, GetParam());
    ASSERT_EQ(lm_session_eval(a, kPrompt.data(), static_cast<int32_t>(kPrompt.size()), 0, false), LM_OK);
    const std::vector<uint8_t> state = snapshot(a);
    const std::vector<float> at_save = last_logits(a, info.n_vocab);
    const std::string file = lamina::testing::temp_path("session-state") + ".lmstate";
    ASSERT_EQ(lm_session_state_save_file(a, file.c_str()), LM_OK) << lm_last_error();
    const auto expected = continue_with(a, kNext, static_cast<int32_t>(kPrompt.size()), info.n_vocab);

    for (bool from_file : {false, true}) {
        lm_session *b = new_session(m.model, GetParam());
        ASSERT_EQ(from_file ? lm_session_state_load_file(b, file.c_str())
                            : lm_session_state_load(b, state.data(), state.size()),
                  LM_OK)
            << lm_last_error();
        int32_t n_past = 0;
        ASSERT_EQ(lm_session_n_past(b, &n_past), LM_OK);
        EXPECT_EQ(n_past, static_cast<int32_t>(kPrompt.size()));
        EXPECT_EQ(last_logits(b, info.n_vocab), at_save);
        EXPECT_EQ(continue_with(b, kNext, n_past, info.n_vocab), expected) << (from_file ? "file" : "memory");
        lm_session_free(b);
    }
    // The original can go back to its snapshot too.
    ASSERT_EQ(lm_session_state_load(a, state.data(), state.size()), LM_OK) << lm_last_error();
    EXPECT_EQ(continue_with(a, kNext, static_cast<int32_t>(kPrompt.size()), info.n_vocab), expected);
    lm_session_free(a);
    std::remove(file.c_str());
}

INSTANTIATE_TEST_SUITE_P(KvTypes, SessionState, ::testing::Values("f16", "f32"));

TEST(SessionStateErrors, AreRefusedNamingWhyAndChangeNothing) {
    Loaded m("models/stories260K-f32.gguf"), other("models/llama2-mha-f32.gguf");
    lm_model_info info{};
    ASSERT_EQ(lm_model_get_info(m.model, &info), LM_OK);
    lm_session *a = new_session(m.model);
    ASSERT_EQ(lm_session_eval(a, kPrompt.data(), static_cast<int32_t>(kPrompt.size()), 0, false), LM_OK);
    std::vector<uint8_t> state = snapshot(a);

    lm_session *b = new_session(m.model);
    ASSERT_EQ(lm_session_eval(b, kPrompt.data(), 4, 0, false), LM_OK);
    const std::vector<float> before = last_logits(b, info.n_vocab);
    auto refused = [&](lm_session *target, const std::vector<uint8_t> &bytes, lm_status want, const char *fragment) {
        EXPECT_EQ(lm_session_state_load(target, bytes.data(), bytes.size()), want) << fragment;
        EXPECT_NE(std::string(lm_last_error()).find(fragment), std::string::npos) << lm_last_error();
    };
    refused(b, std::vector<uint8_t>(state.begin(), state.end() - 10), LM_ERR_BAD_FORMAT, "checksum");
    refused(b, std::vector<uint8_t>(state.begin(), state.begin() + 10), LM_ERR_BAD_FORMAT, "truncated");
    std::vector<uint8_t> flipped = state;
    flipped[flipped.size() / 2] ^= 0x40;
    refused(b, flipped, LM_ERR_BAD_FORMAT, "corrupted");
    std::vector<uint8_t> not_state = state;
    not_state[0] = 'X';
    refused(b, not_state, LM_ERR_BAD_FORMAT, "not a Lamina session state");
    lm_session *f32 = new_session(m.model, "f32");
    refused(f32, state, LM_ERR_INVALID_ARGUMENT, "use the same kv_type");
    lm_session_free(f32);
    lm_session *foreign = new_session(other.model);
    refused(foreign, state, LM_ERR_INVALID_ARGUMENT, "saved from another model");
    lm_session_free(foreign);
    // b is as it was: 4 positions, the same logits.
    int32_t n_past = 0;
    ASSERT_EQ(lm_session_n_past(b, &n_past), LM_OK);
    EXPECT_EQ(n_past, 4);
    EXPECT_EQ(last_logits(b, info.n_vocab), before);

    // A second sequence does not fit a single-sequence session.
    lm_session *two = new_session(m.model, nullptr, 2);
    ASSERT_EQ(lm_session_eval(two, kPrompt.data(), 3, 0, false), LM_OK);
    ASSERT_EQ(lm_session_seq_copy(two, 0, 1, 0, -1), LM_OK) << lm_last_error();
    refused(b, snapshot(two), LM_ERR_INVALID_ARGUMENT, "beyond this session's n_seq_max 1");
    lm_session_free(two);

    EXPECT_EQ(lm_session_state_load_file(b, "/nonexistent/dir/state.lmstate"), LM_ERR_IO);
    EXPECT_EQ(lm_session_state_save_file(a, "/nonexistent/dir/state.lmstate"), LM_ERR_IO);
    EXPECT_NE(std::string(lm_last_error()).find("/nonexistent/dir/state.lmstate"), std::string::npos);
    // A failed save keeps an existing file whole: here the rename target is a directory.
    const std::string dir = lamina::testing::temp_path("state-dir");
    ASSERT_EQ(std::system(("mkdir -p '" + dir + "'").c_str()), 0);
    EXPECT_EQ(lm_session_state_save_file(a, dir.c_str()), LM_ERR_IO);
    std::ifstream leftover(dir + ".tmp");
    EXPECT_FALSE(leftover.good()) << "the temporary file must not be left behind";
    std::remove(dir.c_str());
    lm_session_free(a);
    lm_session_free(b);
}

}  // namespace
