#include "runtime/session.h"

#include <algorithm>
#include <new>
#include <string>
#include <thread>

#include "common/error.h"
#include "model/finite_check.h"
#include "runtime/memory_budget.h"

namespace lamina {
namespace {

// The largest batch one forward pass takes; longer prompts run as several passes so the
// activation buffers stay small whatever the context length.
constexpr int32_t kMaxMicroBatch = 512;
constexpr int32_t kMaxContext = 1 << 20;
constexpr int32_t kDefaultContext = 4096;
constexpr int32_t kMaxThreads = 512;

int32_t resolve_threads(int32_t requested) {
    if (requested < 0 || requested > kMaxThreads) {
        fail(LM_ERR_INVALID_ARGUMENT, "n_threads = " + std::to_string(requested) + " is out of range (0 = all CPUs, 1.." +
                                          std::to_string(kMaxThreads) + ")");
    }
    if (requested > 0) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int32_t>(std::min<unsigned>(hw, kMaxThreads));
}

int32_t resolve_context(const LlamaModel &model, int32_t requested) {
    if (model.vocab_only()) {
        fail(LM_ERR_INVALID_ARGUMENT, "'" + model.file().name() + "' was loaded vocab-only; it cannot evaluate tokens");
    }
    if (requested < 0 || requested > kMaxContext) {
        fail(LM_ERR_INVALID_ARGUMENT, "n_ctx = " + std::to_string(requested) + " is out of range (0 = default, 1.." +
                                          std::to_string(kMaxContext) + ")");
    }
    return requested > 0 ? requested : std::min(model.hparams().n_ctx_train, kDefaultContext);
}

int32_t resolve_batch(int32_t requested, int32_t n_ctx) {
    if (requested < 0) {
        fail(LM_ERR_INVALID_ARGUMENT, "n_batch = " + std::to_string(requested) + " is negative (0 = n_ctx)");
    }
    return requested == 0 || requested > n_ctx ? n_ctx : requested;
}

// Refuses a session the machine cannot hold before allocating any of it.
KvCache make_cache(const LlamaModel &model, int32_t n_ctx, int32_t n_ubatch, int32_t n_threads, const char *kv_type) {
    const GgmlType type = parse_kv_type(kv_type);
    const ModelHparams &hp = model.hparams();
    const uint64_t kv_bytes_per_token = 2 * static_cast<uint64_t>(std::max(hp.n_layer, 0)) *
                                        kv_row_bytes(type, std::max<int64_t>(hp.n_embd_kv(), 0));
    check_session_memory(model.file().name(), hp, n_ctx, n_ubatch, n_threads, kv_bytes_per_token, host_memory_limit());
    return KvCache(hp.n_layer, n_ctx, hp.n_embd_kv(), hp.head_dim, type);
}

}  // namespace

Session::Session(const LlamaModel &model, const lm_session_params &params)
    : model_(model),
      n_ctx_(resolve_context(model, params.n_ctx)),
      n_batch_(resolve_batch(params.n_batch, n_ctx_)),
      n_ubatch_(std::min(n_batch_, kMaxMicroBatch)),
      pool_(resolve_threads(params.n_threads)),
      cache_(make_cache(model, n_ctx_, n_ubatch_, pool_.size(), params.kv_type)) {}

void Session::eval(const lm_token *tokens, int32_t n_tokens, int32_t pos, bool all_logits) {
    if (tokens == nullptr || n_tokens <= 0) {
        fail(LM_ERR_INVALID_ARGUMENT, "eval needs at least one token (got " + std::to_string(n_tokens) + ")");
    }
    if (pos < 0 || pos > n_past_) {
        fail(LM_ERR_INVALID_ARGUMENT, "position " + std::to_string(pos) + " is out of range: the cache holds " +
                                          std::to_string(n_past_) + " positions (0.." + std::to_string(n_past_) + " allowed)");
    }
    if (static_cast<int64_t>(pos) + n_tokens > n_ctx_) {
        fail(LM_ERR_CONTEXT_FULL, "cannot evaluate " + std::to_string(n_tokens) + " tokens at position " +
                                      std::to_string(pos) + ": the context holds " + std::to_string(n_ctx_) +
                                      " tokens (create the session with a larger context, or truncate)");
    }
    if (n_tokens > n_batch_) {
        fail(LM_ERR_INVALID_ARGUMENT, "batch of " + std::to_string(n_tokens) + " tokens exceeds n_batch = " +
                                          std::to_string(n_batch_));
    }
    const int32_t n_vocab = model_.hparams().n_vocab;
    for (int32_t i = 0; i < n_tokens; ++i) {
        if (tokens[i] < 0 || tokens[i] >= n_vocab) {
            fail(LM_ERR_INVALID_ARGUMENT, "token id " + std::to_string(tokens[i]) + " at batch index " +
                                              std::to_string(i) + " is out of range (vocabulary has " +
                                              std::to_string(n_vocab) + " tokens)");
        }
    }

    n_past_ = pos;  // drop positions >= pos
    n_logit_rows_ = 0;
    const int32_t rows = all_logits ? n_tokens : 1;
    check_allocation("logits of " + std::to_string(rows) + " rows of " + std::to_string(n_vocab) + " tokens",
                     static_cast<uint64_t>(rows) * static_cast<uint64_t>(n_vocab) * sizeof(float), host_memory_limit());
    try {
        logits_.resize(static_cast<size_t>(rows) * n_vocab);
    } catch (const std::bad_alloc &) {
        fail(LM_ERR_OUT_OF_MEMORY, "cannot allocate logits for " + std::to_string(rows) + " rows");
    }
    // Until the batch has produced finite logits its positions stay dropped: after any failure
    // the cache holds positions 0..pos and the caller can go on from there.
    forward(tokens, n_tokens, pos, all_logits, /*diagnose=*/false);
    if (!all_finite(logits_.data(), logits_.size())) {
        // Only now is every intermediate result checked, so finite evaluations pay nothing for
        // the diagnosis; the second run throws naming where the non-finite values appeared.
        forward(tokens, n_tokens, pos, all_logits, /*diagnose=*/true);
        fail(LM_ERR_INTERNAL, "non-finite logits that a checked second evaluation did not reproduce");
    }
    n_past_ = pos + n_tokens;
    n_logit_rows_ = rows;
}

void Session::forward(const lm_token *tokens, int32_t n_tokens, int32_t pos, bool all_logits, bool diagnose) {
    const size_t n_vocab = static_cast<size_t>(model_.hparams().n_vocab);
    for (int32_t done = 0; done < n_tokens; done += n_ubatch_) {
        const int32_t n = std::min(n_ubatch_, n_tokens - done);
        const bool last_chunk = done + n == n_tokens;
        float *out = all_logits ? logits_.data() + static_cast<size_t>(done) * n_vocab
                                : (last_chunk ? logits_.data() : nullptr);
        llama_forward(model_, cache_, pool_, scratch_, tokens + done, n, pos + done, all_logits, out, diagnose);
    }
}

void Session::truncate(int32_t n_keep) {
    if (n_keep < 0) fail(LM_ERR_INVALID_ARGUMENT, "truncate: n_keep = " + std::to_string(n_keep) + " is negative");
    n_past_ = std::min(n_past_, n_keep);
    n_logit_rows_ = 0;
}

const float *Session::logits(int32_t row) const {
    if (n_logit_rows_ == 0) fail(LM_ERR_INVALID_ARGUMENT, "no logits: nothing was evaluated since the last change");
    if (row == -1) row = n_logit_rows_ - 1;
    if (row < 0 || row >= n_logit_rows_) {
        fail(LM_ERR_INVALID_ARGUMENT, "logits row " + std::to_string(row) + " is out of range (0.." +
                                          std::to_string(n_logit_rows_ - 1) + ", or -1 for the last)");
    }
    return logits_.data() + static_cast<size_t>(row) * model_.hparams().n_vocab;
}

Session::Guard::Guard(const Session &s) : s_(s) {
    if (s_.busy_.exchange(true, std::memory_order_acquire)) {
        fail(LM_ERR_BUSY, "the session is in use by another thread; a session must be used by one thread at a time");
    }
}

Session::Guard::~Guard() { s_.busy_.store(false, std::memory_order_release); }

}  // namespace lamina
