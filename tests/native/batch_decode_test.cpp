// Many sequences in one session: a batch mixing sequences gives each the logits it gets
// evaluated alone (F32 cache: only summation order differs), whether its tokens sit contiguous
// or interleaved with other sequences' in the cache; forked prefixes, removed ranges and kept
// sequences continue as if evaluated alone; invalid batches are refused leaving the cache as it
// was.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "lamina.h"
#include "test_data.h"

namespace {

constexpr const char *kModel = "models/llama2-gqa256-f16.gguf";

struct Handles {
    lm_model *model = nullptr;
    lm_batch *batch = nullptr;
    std::vector<lm_session *> sessions;
    ~Handles() {
        for (lm_session *s : sessions) lm_session_free(s);
        lm_batch_free(batch);
        lm_model_free(model);
    }
};

class BatchDecode : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string path = lamina::testing::require_test_file(kModel);
        ASSERT_FALSE(path.empty());
        ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &h_.model), LM_OK) << lm_last_error();
        lm_model_info info{};
        ASSERT_EQ(lm_model_get_info(h_.model, &info), LM_OK);
        n_vocab_ = info.n_vocab;
        ASSERT_EQ(lm_batch_new(&h_.batch), LM_OK);
    }

    lm_session *session(int32_t n_seq_max, int32_t n_ctx = 512) {
        lm_session_params p = lm_session_default_params();
        p.n_ctx = n_ctx;
        p.n_threads = 2;
        p.kv_type = "f32";
        p.n_seq_max = n_seq_max;
        lm_session *s = nullptr;
        EXPECT_EQ(lm_session_new(h_.model, p, &s), LM_OK) << lm_last_error();
        h_.sessions.push_back(s);
        return s;
    }

    std::vector<lm_token> tokens(int32_t n, int32_t salt) const {
        std::vector<lm_token> t(static_cast<size_t>(n));
        for (int32_t i = 0; i < n; ++i) t[i] = (3 + i * 7919 + salt * 104729) % n_vocab_;
        return t;
    }

    // Every row's logits of `seq` evaluated alone in a fresh single-sequence session.
    std::vector<std::vector<float>> alone(const std::vector<lm_token> &seq) {
        lm_session *s = session(1);
        EXPECT_EQ(lm_session_eval(s, seq.data(), static_cast<int32_t>(seq.size()), 0, true), LM_OK) << lm_last_error();
        std::vector<std::vector<float>> rows;
        for (int32_t r = 0; r < static_cast<int32_t>(seq.size()); ++r) rows.push_back(row(s, r));
        return rows;
    }

    std::vector<float> row(lm_session *s, int32_t r) const {
        const float *l = nullptr;
        EXPECT_EQ(lm_session_logits(s, r, &l), LM_OK) << lm_last_error();
        return l == nullptr ? std::vector<float>() : std::vector<float>(l, l + n_vocab_);
    }

    // ../shared/README.md's measure: max |ours - reference| / max |reference|.
    static double relative_error(const std::vector<float> &ours, const std::vector<float> &ref) {
        double diff = 0, scale = 0;
        for (size_t i = 0; i < ref.size(); ++i) {
            diff = std::max(diff, std::fabs(static_cast<double>(ours[i]) - ref[i]));
            scale = std::max(scale, std::fabs(static_cast<double>(ref[i])));
        }
        return diff / scale;
    }

    static int32_t argmax(const std::vector<float> &l) {
        return static_cast<int32_t>(std::max_element(l.begin(), l.end()) - l.begin());
    }

    int32_t pos_max(lm_session *s, int32_t seq) {
        int32_t p = -2;
        EXPECT_EQ(lm_session_seq_pos_max(s, seq, &p), LM_OK) << lm_last_error();
        return p;
    }

    int32_t free_cells(lm_session *s) {
        int32_t n = -1;
        EXPECT_EQ(lm_session_n_free_cells(s, &n), LM_OK);
        return n;
    }

    Handles h_;
    int32_t n_vocab_ = 0;
};

// Four prompts of different lengths in one batch, laid out one after another or interleaved
// token by token, then decode steps of all four together: every row equals the same sequence
// evaluated alone.
TEST_F(BatchDecode, FourSequencesOfDifferentLengthsMatchEachAlone) {
    const std::vector<int32_t> lengths = {5, 17, 33, 60};
    std::vector<std::vector<lm_token>> prompts;
    for (int32_t s = 0; s < 4; ++s) prompts.push_back(tokens(lengths[s], s));
    for (const bool interleaved : {false, true}) {
        SCOPED_TRACE(interleaved ? "interleaved" : "one after another");
        lm_session *batched = session(4);
        ASSERT_EQ(lm_batch_clear(h_.batch), LM_OK);
        // Row r of the decode belongs to (sequence, index) origin[r].
        std::vector<std::pair<int32_t, int32_t>> origin;
        if (interleaved) {
            for (int32_t i = 0; i < 60; ++i)
                for (int32_t s = 0; s < 4; ++s)
                    if (i < lengths[s]) {
                        ASSERT_EQ(lm_batch_add(h_.batch, prompts[s][i], i, s, true), LM_OK);
                        origin.emplace_back(s, i);
                    }
        } else {
            for (int32_t s = 0; s < 4; ++s) {
                for (int32_t i = 0; i < lengths[s]; ++i) {
                    ASSERT_EQ(lm_batch_add(h_.batch, prompts[s][i], i, s, true), LM_OK);
                    origin.emplace_back(s, i);
                }
            }
        }
        ASSERT_EQ(lm_session_decode(batched, h_.batch), LM_OK) << lm_last_error();
        int32_t rows = 0;
        ASSERT_EQ(lm_session_n_logit_rows(batched, &rows), LM_OK);
        ASSERT_EQ(rows, 115);
        std::vector<std::vector<float>> last(4);
        std::vector<std::vector<lm_token>> full = prompts;
        for (int32_t s = 0; s < 4; ++s) {
            const std::vector<std::vector<float>> ref = alone(prompts[s]);
            for (int32_t r = 0; r < rows; ++r) {
                if (origin[r].first != s) continue;
                const std::vector<float> got = row(batched, r);
                EXPECT_LT(relative_error(got, ref[origin[r].second]), 1e-5)
                    << "sequence " << s << " token " << origin[r].second;
                if (origin[r].second == lengths[s] - 1) last[s] = got;
            }
        }
        // Three greedy steps of all four sequences in one batch each.
        for (int32_t step = 0; step < 3; ++step) {
            ASSERT_EQ(lm_batch_clear(h_.batch), LM_OK);
            for (int32_t s = 0; s < 4; ++s) {
                const lm_token next = argmax(last[s]);
                full[s].push_back(next);
                ASSERT_EQ(lm_batch_add(h_.batch, next, static_cast<int32_t>(full[s].size()) - 1, s, true), LM_OK);
            }
            ASSERT_EQ(lm_session_decode(batched, h_.batch), LM_OK) << lm_last_error();
            for (int32_t s = 0; s < 4; ++s) {
                last[s] = row(batched, s);
                EXPECT_LT(relative_error(last[s], alone(full[s]).back()), 1e-5) << "sequence " << s << " step " << step;
                EXPECT_EQ(pos_max(batched, s), static_cast<int32_t>(full[s].size()) - 1);
            }
        }
        EXPECT_EQ(free_cells(batched), 512 - (115 + 12));
    }
}

// A prefix evaluated once in sequence 0 and copied to sequences 1..3 (sharing its cells), each
// continued with a different suffix in one batch: each equals prefix + suffix alone.
TEST_F(BatchDecode, ForkedPrefixContinuesAsIfEvaluatedAlone) {
    lm_session *s = session(4);
    const std::vector<lm_token> prefix = tokens(24, 9);
    ASSERT_EQ(lm_session_eval(s, prefix.data(), 24, 0, false), LM_OK) << lm_last_error();
    for (int32_t seq = 1; seq < 4; ++seq) ASSERT_EQ(lm_session_seq_copy(s, 0, seq, 0, -1), LM_OK) << lm_last_error();
    EXPECT_EQ(free_cells(s), 512 - 24) << "a copied prefix shares its cells";
    EXPECT_EQ(pos_max(s, 3), 23);
    ASSERT_EQ(lm_batch_clear(h_.batch), LM_OK);
    std::vector<std::vector<lm_token>> suffixes;
    for (int32_t seq = 0; seq < 4; ++seq) {
        suffixes.push_back(tokens(2 + 3 * seq, 20 + seq));
        ASSERT_EQ(lm_batch_add_tokens(h_.batch, suffixes[seq].data(), static_cast<int32_t>(suffixes[seq].size()), 24,
                                      seq, true),
                  LM_OK);
    }
    ASSERT_EQ(lm_session_decode(s, h_.batch), LM_OK) << lm_last_error();
    for (int32_t seq = 0; seq < 4; ++seq) {
        std::vector<lm_token> whole = prefix;
        whole.insert(whole.end(), suffixes[seq].begin(), suffixes[seq].end());
        EXPECT_LT(relative_error(row(s, seq), alone(whole).back()), 1e-5) << "sequence " << seq;
    }
}

// Rewinding one sequence (remove a tail range) and then keeping only it: the others vanish,
// their cells are free, and the kept one continues as if its history had been evaluated alone.
TEST_F(BatchDecode, RemoveAndKeepThenContinue) {
    lm_session *s = session(3);
    std::vector<std::vector<lm_token>> seqs;
    ASSERT_EQ(lm_batch_clear(h_.batch), LM_OK);
    for (int32_t seq = 0; seq < 3; ++seq) {
        seqs.push_back(tokens(30, 40 + seq));
        ASSERT_EQ(lm_batch_add_tokens(h_.batch, seqs[seq].data(), 30, 0, seq, true), LM_OK);
    }
    ASSERT_EQ(lm_session_decode(s, h_.batch), LM_OK) << lm_last_error();
    ASSERT_EQ(lm_session_seq_remove(s, 1, 12, -1), LM_OK) << lm_last_error();
    EXPECT_EQ(pos_max(s, 1), 11);
    EXPECT_EQ(free_cells(s), 512 - 90 + 18);
    ASSERT_EQ(lm_session_seq_keep(s, 1), LM_OK);
    EXPECT_EQ(pos_max(s, 0), -1);
    EXPECT_EQ(pos_max(s, 2), -1);
    EXPECT_EQ(free_cells(s), 512 - 12);
    const std::vector<lm_token> more = tokens(7, 77);
    ASSERT_EQ(lm_batch_clear(h_.batch), LM_OK);
    ASSERT_EQ(lm_batch_add_tokens(h_.batch, more.data(), 7, 12, 1, true), LM_OK);
    ASSERT_EQ(lm_session_decode(s, h_.batch), LM_OK) << lm_last_error();
    std::vector<lm_token> whole(seqs[1].begin(), seqs[1].begin() + 12);
    whole.insert(whole.end(), more.begin(), more.end());
    EXPECT_LT(relative_error(row(s, 0), alone(whole).back()), 1e-5);
    // Removing every sequence empties the cache.
    ASSERT_EQ(lm_session_seq_remove(s, -1, 0, -1), LM_OK);
    EXPECT_EQ(free_cells(s), 512);
}

// Refused batches name the problem and change nothing.
TEST_F(BatchDecode, InvalidBatchesAreRefusedAndChangeNothing) {
    lm_session *s = session(2, 64);
    const std::vector<lm_token> t = tokens(10, 1);
    ASSERT_EQ(lm_session_eval(s, t.data(), 10, 0, false), LM_OK);
    const auto refused = [&](lm_status expected, const std::string &needle) {
        EXPECT_EQ(lm_session_decode(s, h_.batch), expected);
        EXPECT_NE(std::string(lm_last_error()).find(needle), std::string::npos) << lm_last_error();
        EXPECT_EQ(pos_max(s, 0), 9);
        EXPECT_EQ(pos_max(s, 1), -1);
        EXPECT_EQ(free_cells(s), 54);
    };
    lm_batch_clear(h_.batch);
    lm_batch_add(h_.batch, t[0], 11, 0, true);  // a gap after position 9
    refused(LM_ERR_INVALID_ARGUMENT, "continues at position 10, got 11");
    lm_batch_clear(h_.batch);
    lm_batch_add(h_.batch, t[0], 0, 2, true);  // only sequences 0 and 1 exist
    refused(LM_ERR_INVALID_ARGUMENT, "sequence id 2 is out of range");
    lm_batch_clear(h_.batch);
    lm_batch_add(h_.batch, t[0], 10, 0, true);
    lm_batch_add(h_.batch, n_vocab_, 0, 1, true);  // a token id outside the vocabulary
    refused(LM_ERR_INVALID_ARGUMENT, "out of range (vocabulary has");
    lm_batch_clear(h_.batch);
    const std::vector<lm_token> many = tokens(55, 2);
    lm_batch_add_tokens(h_.batch, many.data(), 55, 0, 1, true);  // 54 cells are free
    refused(LM_ERR_CONTEXT_FULL, "54 of the context's 64 cells are free");
    lm_batch_clear(h_.batch);
    refused(LM_ERR_INVALID_ARGUMENT, "at least one token");
    EXPECT_EQ(lm_session_seq_copy(s, 0, 5, 0, -1), LM_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(lm_session_seq_keep(s, -1), LM_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(lm_session_seq_remove(s, 0, -3, -1), LM_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(lm_batch_add_tokens(h_.batch, t.data(), 0, 0, 0, true), LM_ERR_INVALID_ARGUMENT);
}

TEST_F(BatchDecode, SequenceCountIsValidated) {
    lm_session_params p = lm_session_default_params();
    EXPECT_EQ(p.n_seq_max, 1);
    p.n_ctx = 32;
    p.n_seq_max = 65;
    lm_session *s = nullptr;
    EXPECT_EQ(lm_session_new(h_.model, p, &s), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("n_seq_max = 65"), std::string::npos) << lm_last_error();
    p.n_seq_max = 64;
    ASSERT_EQ(lm_session_new(h_.model, p, &s), LM_OK) << lm_last_error();
    int32_t n = 0;
    EXPECT_EQ(lm_session_n_seq_max(s, &n), LM_OK);
    EXPECT_EQ(n, 64);
    lm_session_free(s);
}

}  // namespace
