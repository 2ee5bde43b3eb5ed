// A session: one conversation's KV cache, activation buffers, worker threads and the logits of
// its last evaluation. Confined to one thread at a time; entering it from a second thread while
// it is busy is refused (LM_ERR_BUSY), never undefined behaviour.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "lamina.h"
#include "model/llama_forward.h"
#include "model/llama_model.h"
#include "runtime/kv_cache.h"
#include "runtime/thread_pool.h"

namespace lamina {

class Session {
public:
    // Resolves defaults (0 = automatic) and validates the parameters; throws LaminaError.
    Session(const LlamaModel &model, const lm_session_params &params);

    // See lm_session_eval in lamina.h.
    void eval(const lm_token *tokens, int32_t n_tokens, int32_t pos, bool all_logits);
    void truncate(int32_t n_keep);

    int32_t n_past() const { return n_past_; }
    int32_t n_ctx() const { return n_ctx_; }
    size_t kv_bytes_per_token() const { return cache_.bytes_per_token(); }
    int32_t n_logit_rows() const { return n_logit_rows_; }
    const float *logits(int32_t row) const;  // throws on a row out of range

    // Marks the session busy for the lifetime of the guard; throws LM_ERR_BUSY if it already is.
    class Guard {
    public:
        explicit Guard(const Session &s);
        ~Guard();
    private:
        const Session &s_;
    };

private:
    // Runs the batch in micro-batches into logits_ (see llama_forward for diagnose).
    void forward(const lm_token *tokens, int32_t n_tokens, int32_t pos, bool all_logits, bool diagnose);

    const LlamaModel &model_;
    int32_t n_ctx_;
    int32_t n_batch_;
    int32_t n_ubatch_;
    ThreadPool pool_;
    KvCache cache_;
    ForwardScratch scratch_;
    std::vector<float> logits_;
    int32_t n_logit_rows_ = 0;
    int32_t n_past_ = 0;
    mutable std::atomic<bool> busy_{false};
};

}  // namespace lamina
