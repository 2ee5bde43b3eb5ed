// A session: a KV cache holding up to n_seq_max sequences, the activation buffers, and the
// logits of its last evaluation. A batch mixes tokens of any of its sequences and runs as one
// forward pass per micro-batch (each weight matrix read once for all rows), on the model's
// shared worker threads. Confined to one thread at a time; entering it from a second thread
// while it is busy is refused (LM_ERR_BUSY), never undefined behaviour. The abort callback is
// the exception: it is how another thread stops a running evaluation.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "cpu/attention.h"
#include "lamina.h"
#include "model/forward.h"
#include "model/lora_adapter.h"
#include "model/model.h"
#include "runtime/kv_cache.h"
#include "runtime/kv_cells.h"
#include "runtime/shared_thread_pool.h"

namespace lamina {

// A batch as Session::decode reads it: per token its id, position, sequence and whether its
// logits are wanted (see lm_batch in lamina.h).
struct BatchView {
    int32_t n_tokens = 0;
    const lm_token *tokens = nullptr;
    const int32_t *positions = nullptr;
    const int32_t *seq_ids = nullptr;
    const uint8_t *logits = nullptr;  // 1 = wanted
};

class Session {
public:
    // Resolves defaults (0 = automatic) and validates the parameters; throws LaminaError.
    Session(const Model &model, SharedThreadPool &threads, const lm_session_params &params);

    // See lm_session_decode in lamina.h.
    void decode(const BatchView &batch);
    // See lm_session_eval: sequence 0 only, positions pos.. (dropping those >= pos first).
    void eval(const lm_token *tokens, int32_t n_tokens, int32_t pos, bool all_logits);
    void truncate(int32_t n_keep);

    // Sequence operations (see lm_session_seq_* in lamina.h); logits stay as they are.
    void seq_remove(int32_t seq, int32_t p0, int32_t p1);
    void seq_copy(int32_t src, int32_t dst, int32_t p0, int32_t p1);
    void seq_keep(int32_t seq);
    int32_t seq_pos_max(int32_t seq) const;
    int32_t seq_pos_min(int32_t seq) const;

    int32_t n_past() const { return cells_.pos_max(0) + 1; }
    int32_t n_ctx() const { return n_ctx_; }
    int32_t n_seq_max() const { return n_seq_max_; }
    int32_t n_threads() const { return n_threads_; }
    int32_t n_free_cells() const { return cells_.n_free(); }
    int64_t n_expert_passes() const { return scratch_.expert_passes; }
    size_t kv_bytes_per_token() const { return cache_.bytes_per_token(); }
    int32_t n_logit_rows() const { return n_logit_rows_; }
    const float *logits(int32_t row) const;  // throws on a row out of range
    // An embeddings session's output row: n_embd floats (see lm_session_embeddings).
    const float *embeddings(int32_t row) const;
    bool outputs_embeddings() const { return embeddings_; }
    // See lm_session_embed: out holds n_texts * n_embd floats.
    void embed(const lm_token *const *texts, const int32_t *lengths, int32_t n_texts, lm_pooling pooling,
               bool normalize, float *out, size_t out_capacity);

    // LoRA adapters applied from the next evaluation on (see lm_session_set_lora in lamina.h):
    // set adds the adapter or changes its scale, remove returns whether it was set.
    void set_lora(std::shared_ptr<const LoraAdapter> adapter, float scale);
    bool remove_lora(const LoraAdapter *adapter);
    void clear_lora() { loras_.clear(); }
    const std::vector<ActiveLora> &loras() const { return loras_; }

    // Asked between layers, and while waiting for the worker threads, on the evaluating thread;
    // true stops the evaluation with LM_ERR_CANCELLED. fn may be null (never stop).
    void set_abort_callback(lm_abort_fn fn, void *user_data);

    // Marks the session busy for the lifetime of the guard; throws LM_ERR_BUSY if it already is.
    class Guard {
    public:
        explicit Guard(const Session &s);
        ~Guard();
    private:
        const Session &s_;
    };

private:
    friend std::vector<uint8_t> save_session_state(const Session &session);
    friend size_t session_state_size(const Session &session);
    friend void load_session_state(Session &session, const uint8_t *data, size_t size, const std::string &source);

    void check_batch(const BatchView &batch);
    void check_sequence(int32_t seq, const char *what) const;
    // Runs the batch's micro-batches into logits_ (see model/forward.h for diagnose).
    void forward(const BatchView &batch, bool diagnose);
    // What each token of batch[begin, begin + n) sees, from the cell table.
    void plan_spans(const BatchView &batch, int32_t begin, int32_t n);
    bool should_stop() const;
    const float *output_row(int32_t row) const;
    // Floats per output row: n_vocab logits, or n_embd for an embeddings session.
    int32_t row_width() const { return embeddings_ ? model_.hparams().n_embd : model_.hparams().n_vocab; }

    const Model &model_;
    SharedThreadPool &threads_;
    int32_t n_ctx_;
    int32_t n_batch_;
    int32_t n_ubatch_;
    int32_t n_seq_max_;
    int32_t n_threads_;
    KvCache cache_;
    KvCells cells_;
    ForwardScratch scratch_;
    StopCheck stop_check_;
    std::vector<float> logits_;
    int32_t n_logit_rows_ = 0;
    std::vector<ActiveLora> loras_;
    // Per evaluation, kept to reuse their memory: each token's cell, the rows wanted, each
    // sequence's next position, the spans of a micro-batch, and the single-sequence batch that
    // eval() builds.
    std::vector<int32_t> batch_cells_, output_rows_, next_positions_;
    std::vector<cpu::QuerySpan> spans_;
    std::vector<int32_t> eval_positions_, eval_seqs_;
    std::vector<uint8_t> eval_logits_;
    lm_abort_fn abort_fn_ = nullptr;
    void *abort_user_ = nullptr;
    mutable std::atomic<bool> busy_{false};
    bool embeddings_;
};

}  // namespace lamina
