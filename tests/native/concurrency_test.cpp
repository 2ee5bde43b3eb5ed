// Threads: one session entered from two threads at once is refused with LM_ERR_BUSY (never a
// crash or a corrupted cache), and many sessions on one shared model, evaluated in parallel,
// compute exactly what a single-threaded run computes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lamina.h"
#include "test_data.h"

namespace {

struct ModelHandle {
    lm_model *model = nullptr;
    ~ModelHandle() { lm_model_free(model); }
};

bool load(const char *relative, ModelHandle &m) {
    const std::string path = lamina::testing::require_test_file(relative);
    if (path.empty()) return false;
    const lm_status st = lm_model_load(path.c_str(), lm_model_default_params(), &m.model);
    EXPECT_EQ(st, LM_OK) << lm_last_error();
    return st == LM_OK;
}

lm_session *new_session(const lm_model *model, int32_t n_ctx, int32_t n_threads) {
    lm_session_params p = lm_session_default_params();
    p.n_ctx = n_ctx;
    p.n_threads = n_threads;
    lm_session *s = nullptr;
    EXPECT_EQ(lm_session_new(model, p, &s), LM_OK) << lm_last_error();
    return s;
}

std::vector<lm_token> prompt(int32_t n, int32_t n_vocab, int32_t salt) {
    std::vector<lm_token> t(static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) t[static_cast<size_t>(i)] = (1 + i * 7919 + salt * 104729) % n_vocab;
    return t;
}

int32_t n_vocab_of(const lm_model *m) {
    lm_model_info info{};
    EXPECT_EQ(lm_model_get_info(m, &info), LM_OK);
    return info.n_vocab;
}

TEST(Concurrency, OneSessionFromTwoThreadsIsBusyNotACrash) {
    ModelHandle m;
    ASSERT_TRUE(load("models/llama2-gqa256-f16.gguf", m));
    const int32_t n_vocab = n_vocab_of(m.model);
    lm_session *s = new_session(m.model, 256, 1);
    ASSERT_NE(s, nullptr);
    const std::vector<lm_token> long_prompt = prompt(192, n_vocab, 1);

    // Thread A evaluates long prompts back to back; thread B keeps entering the same session
    // (eval, truncate, logits) until it has been refused at least a few times.
    std::atomic<bool> stop{false};
    std::atomic<int> a_ok{0}, a_busy{0}, b_ok{0}, b_busy{0}, unexpected{0};
    std::string unexpected_message;
    std::mutex unexpected_mutex;
    auto record = [&](lm_status st, std::atomic<int> &ok, std::atomic<int> &busy) {
        if (st == LM_OK) {
            ++ok;
        } else if (st == LM_ERR_BUSY) {
            ++busy;
            if (std::string(lm_last_error()).find("in use by another thread") == std::string::npos) ++unexpected;
        } else if (st != LM_ERR_INVALID_ARGUMENT) {  // logits before any eval is a valid refusal
            ++unexpected;
            std::lock_guard<std::mutex> lock(unexpected_mutex);
            unexpected_message = std::string(lm_status_name(st)) + ": " + lm_last_error();
        }
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::thread a([&] {
        while (!stop && std::chrono::steady_clock::now() < deadline) {
            record(lm_session_eval(s, long_prompt.data(), static_cast<int32_t>(long_prompt.size()), 0, false), a_ok,
                   a_busy);
        }
    });
    std::thread b([&] {
        const lm_token one = 1;
        for (int i = 0; !stop && std::chrono::steady_clock::now() < deadline; ++i) {
            const float *logits = nullptr;
            switch (i % 3) {
                case 0: record(lm_session_eval(s, &one, 1, 0, false), b_ok, b_busy); break;
                case 1: record(lm_session_truncate(s, 0), b_ok, b_busy); break;
                default: record(lm_session_logits(s, -1, &logits), b_ok, b_busy); break;
            }
            if (b_busy >= 20 && a_ok >= 3) stop = true;
            std::this_thread::yield();
        }
    });
    a.join();
    b.join();
    EXPECT_EQ(unexpected.load(), 0) << unexpected_message;
    EXPECT_GE(b_busy.load() + a_busy.load(), 1) << "no overlap happened within the time limit";
    EXPECT_GE(a_ok.load(), 1);

    // The session is intact afterwards: a fresh evaluation equals one on a new session.
    const std::vector<lm_token> p = prompt(8, n_vocab, 2);
    ASSERT_EQ(lm_session_eval(s, p.data(), 8, 0, false), LM_OK) << lm_last_error();
    const float *got = nullptr;
    ASSERT_EQ(lm_session_logits(s, -1, &got), LM_OK);
    lm_session *fresh = new_session(m.model, 256, 1);
    ASSERT_EQ(lm_session_eval(fresh, p.data(), 8, 0, false), LM_OK) << lm_last_error();
    const float *want = nullptr;
    ASSERT_EQ(lm_session_logits(fresh, -1, &want), LM_OK);
    EXPECT_EQ(std::memcmp(got, want, sizeof(float) * static_cast<size_t>(n_vocab)), 0);
    lm_session_free(fresh);
    lm_session_free(s);
}

// Prompt (all logits) then a few single-token steps; returns every logit row in order.
std::vector<float> run_script(const lm_model *model, int32_t n_vocab, int32_t salt, int32_t n_threads) {
    std::vector<float> out;
    lm_session *s = new_session(model, 64, n_threads);
    if (s == nullptr) return out;
    const std::vector<lm_token> p = prompt(12, n_vocab, salt);
    if (lm_session_eval(s, p.data(), static_cast<int32_t>(p.size()), 0, true) != LM_OK) {
        ADD_FAILURE() << lm_last_error();
        lm_session_free(s);
        return out;
    }
    for (int32_t row = 0; row < static_cast<int32_t>(p.size()); ++row) {
        const float *l = nullptr;
        EXPECT_EQ(lm_session_logits(s, row, &l), LM_OK);
        out.insert(out.end(), l, l + n_vocab);
    }
    for (int32_t step = 0; step < 4; ++step) {
        const lm_token t = (salt * 31 + step * 17 + 3) % n_vocab;
        EXPECT_EQ(lm_session_eval(s, &t, 1, static_cast<int32_t>(p.size()) + step, false), LM_OK) << lm_last_error();
        const float *l = nullptr;
        EXPECT_EQ(lm_session_logits(s, -1, &l), LM_OK);
        out.insert(out.end(), l, l + n_vocab);
    }
    lm_session_free(s);
    return out;
}

TEST(Concurrency, ParallelSessionsOnOneModelMatchASingleThreadedRun) {
    ModelHandle m;
    ASSERT_TRUE(load("models/llama2-mha-f32.gguf", m));
    const int32_t n_vocab = n_vocab_of(m.model);
    constexpr int kThreads = 6;
    // Reference: every script run one after another on this thread.
    std::vector<std::vector<float>> want(kThreads);
    for (int i = 0; i < kThreads; ++i) want[static_cast<size_t>(i)] = run_script(m.model, n_vocab, i % 3, 1);
    for (const auto &w : want) ASSERT_FALSE(w.empty());
    ASSERT_NE(want[0], want[1]) << "different prompts should give different logits";

    std::vector<std::vector<float>> got(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
        // Sessions with worker pools of their own too (n_threads 2), sharing the model's weights.
        threads.emplace_back([&, i] { got[static_cast<size_t>(i)] = run_script(m.model, n_vocab, i % 3, 1 + i % 2); });
    }
    for (std::thread &t : threads) t.join();
    for (int i = 0; i < kThreads; ++i) {
        ASSERT_EQ(got[static_cast<size_t>(i)].size(), want[static_cast<size_t>(i)].size()) << "thread " << i;
        EXPECT_EQ(std::memcmp(got[static_cast<size_t>(i)].data(), want[static_cast<size_t>(i)].data(),
                              sizeof(float) * want[static_cast<size_t>(i)].size()),
                  0)
            << "thread " << i << " (n_threads " << 1 + i % 2 << ") computed different logits";
    }
}

}  // namespace
