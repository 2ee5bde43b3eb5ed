#include "runtime/session.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <string>
#include <thread>

#include "common/error.h"
#include "model/finite_check.h"
#include "runtime/memory_budget.h"

namespace lamina {
namespace {

// The largest batch one forward pass takes; longer prompts run as several passes so the
// activation buffers stay small whatever the context length, and sessions sharing the worker
// threads take turns at least this often.
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

int32_t resolve_context(const Model &model, int32_t requested) {
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

int32_t resolve_sequences(int32_t requested) {
    if (requested < 0 || requested > kMaxSequences) {
        fail(LM_ERR_INVALID_ARGUMENT, "n_seq_max = " + std::to_string(requested) + " is out of range (0 = 1, 1.." +
                                          std::to_string(kMaxSequences) + ")");
    }
    return requested == 0 ? 1 : requested;
}

// Refuses a session the machine cannot hold before allocating any of it.
KvCache make_cache(const Model &model, int32_t n_ctx, int32_t n_ubatch, int32_t n_threads, const char *kv_type) {
    const GgmlType type = parse_kv_type(kv_type);
    const ModelHparams &hp = model.hparams();
    const KvCache::KvWidths widths = KvCache::widths_of(hp);
    const uint64_t kv_bytes_per_token = KvCache::kv_bytes_per_token(type, widths, hp.n_layer);
    check_session_memory(model.file().name(), hp, n_ctx, n_ubatch, n_threads, kv_bytes_per_token, host_memory_limit());
    return KvCache(hp.n_layer, n_ctx, widths, type);
}

void check_tokens(const lm_token *tokens, int32_t n_tokens, int32_t n_vocab) {
    for (int32_t i = 0; i < n_tokens; ++i) {
        if (tokens[i] < 0 || tokens[i] >= n_vocab) {
            fail(LM_ERR_INVALID_ARGUMENT, "token id " + std::to_string(tokens[i]) + " at batch index " +
                                              std::to_string(i) + " is out of range (vocabulary has " +
                                              std::to_string(n_vocab) + " tokens)");
        }
    }
}

}  // namespace

Session::Session(const Model &model, SharedThreadPool &threads, const lm_session_params &params)
    : model_(model),
      threads_(threads),
      n_ctx_(resolve_context(model, params.n_ctx)),
      n_batch_(resolve_batch(params.n_batch, n_ctx_)),
      n_ubatch_(std::min(n_batch_, kMaxMicroBatch)),
      n_seq_max_(resolve_sequences(params.n_seq_max)),
      n_threads_(resolve_threads(params.n_threads)),
      cache_(make_cache(model, n_ctx_, n_ubatch_, n_threads_, params.kv_type)),
      cells_(n_ctx_),
      stop_check_([this] { return should_stop(); }),
      embeddings_(params.embeddings) {}

void Session::set_abort_callback(lm_abort_fn fn, void *user_data) {
    abort_fn_ = fn;
    abort_user_ = user_data;
}

bool Session::should_stop() const { return abort_fn_ != nullptr && abort_fn_(abort_user_); }

void Session::check_sequence(int32_t seq, const char *what) const {
    if (seq < 0 || seq >= n_seq_max_) {
        fail(LM_ERR_INVALID_ARGUMENT, std::string(what) + ": sequence id " + std::to_string(seq) +
                                          " is out of range (the session holds sequences 0.." +
                                          std::to_string(n_seq_max_ - 1) + "; see n_seq_max)");
    }
}

void Session::check_batch(const BatchView &b) {
    if (b.tokens == nullptr || b.positions == nullptr || b.seq_ids == nullptr || b.logits == nullptr ||
        b.n_tokens <= 0) {
        fail(LM_ERR_INVALID_ARGUMENT, "decode needs a batch of at least one token (got " + std::to_string(b.n_tokens) + ")");
    }
    if (b.n_tokens > n_batch_) {
        fail(LM_ERR_INVALID_ARGUMENT, "batch of " + std::to_string(b.n_tokens) + " tokens exceeds n_batch = " +
                                          std::to_string(n_batch_));
    }
    check_tokens(b.tokens, b.n_tokens, model_.hparams().n_vocab);
    // Each sequence continues where it stands: its tokens, in batch order, take the positions
    // after its last one. Anything else would give two cells one position, or a gap RoPE and
    // the causal mask would silently misread.
    std::vector<int32_t> &next = next_positions_;
    cells_.pos_max_all(next);
    for (int32_t &p : next) ++p;
    for (int32_t i = 0; i < b.n_tokens; ++i) {
        const int32_t seq = b.seq_ids[i];
        if (seq < 0 || seq >= n_seq_max_) {
            fail(LM_ERR_INVALID_ARGUMENT, "batch index " + std::to_string(i) + ": sequence id " + std::to_string(seq) +
                                              " is out of range (0.." + std::to_string(n_seq_max_ - 1) +
                                              "; see n_seq_max)");
        }
        if (b.positions[i] != next[seq]) {
            fail(LM_ERR_INVALID_ARGUMENT, "batch index " + std::to_string(i) + ": sequence " + std::to_string(seq) +
                                              " continues at position " + std::to_string(next[seq]) + ", got " +
                                              std::to_string(b.positions[i]) +
                                              " (remove positions first to rewind a sequence)");
        }
        ++next[seq];
    }
    if (b.n_tokens > cells_.n_free()) {
        fail(LM_ERR_CONTEXT_FULL, "cannot evaluate " + std::to_string(b.n_tokens) + " tokens: " +
                                      std::to_string(cells_.n_free()) + " of the context's " + std::to_string(n_ctx_) +
                                      " cells are free (create the session with a larger context, or remove "
                                      "positions of its sequences)");
    }
}

void Session::decode(const BatchView &b) {
    check_batch(b);
    const int32_t width = row_width();
    int32_t rows = 0;
    for (int32_t i = 0; i < b.n_tokens; ++i) rows += b.logits[i] != 0;
    n_logit_rows_ = 0;
    check_allocation("outputs of " + std::to_string(rows) + " rows of " + std::to_string(width) + " values",
                     static_cast<uint64_t>(rows) * static_cast<uint64_t>(width) * sizeof(float), host_memory_limit());
    try {
        logits_.resize(static_cast<size_t>(rows) * width);
    } catch (const std::bad_alloc &) {
        fail(LM_ERR_OUT_OF_MEMORY, "cannot allocate logits for " + std::to_string(rows) + " rows");
    }
    batch_cells_.resize(static_cast<size_t>(b.n_tokens));
    for (int32_t i = 0; i < b.n_tokens; ++i) batch_cells_[i] = cells_.occupy(b.positions[i], b.seq_ids[i]);
    // Until the batch has produced finite logits its cells are not part of any sequence: after
    // any failure, cancellation included, the cache is as it was before the call.
    try {
        forward(b, /*diagnose=*/false);
        if (!all_finite(logits_.data(), logits_.size())) {
            // Only now is every intermediate result checked, so finite evaluations pay nothing
            // for the diagnosis; the second run throws naming where non-finite values appeared.
            forward(b, /*diagnose=*/true);
            fail(LM_ERR_INTERNAL, "non-finite logits that a checked second evaluation did not reproduce");
        }
    } catch (...) {
        for (int32_t cell : batch_cells_) cells_.release(cell);
        throw;
    }
    n_logit_rows_ = rows;
}

void Session::plan_spans(const BatchView &b, int32_t begin, int32_t n) {
    spans_.resize(static_cast<size_t>(n));
    const int32_t extent = cells_.extent();
    const int32_t *pos = cells_.positions();
    const uint64_t *seqs = cells_.sequences();
    for (int32_t t = 0; t < n; ++t) {
        const int32_t p = b.positions[begin + t];
        const uint64_t bit = sequence_bit(b.seq_ids[begin + t]);
        int32_t first = -1, last = -1, seen = 0;
        for (int32_t c = 0; c < extent; ++c) {
            if ((seqs[c] & bit) == 0 || pos[c] > p) continue;
            if (first < 0) first = c;
            last = c;
            ++seen;
        }
        // The token's own cell is always among them.
        spans_[t] = cpu::QuerySpan{first, last + 1, p, bit, seen == last + 1 - first};
    }
}

void Session::forward(const BatchView &b, bool diagnose) {
    const size_t width = static_cast<size_t>(row_width());
    const cpu::KvCellTable table{cells_.positions(), cells_.sequences()};
    size_t out_row = 0;
    for (int32_t done = 0; done < b.n_tokens; done += n_ubatch_) {
        const int32_t n = std::min(n_ubatch_, b.n_tokens - done);
        plan_spans(b, done, n);
        output_rows_.clear();
        for (int32_t t = 0; t < n; ++t) {
            if (b.logits[done + t] != 0) output_rows_.push_back(t);
        }
        ForwardBatch fb;
        fb.tokens = b.tokens + done;
        fb.positions = b.positions + done;
        fb.cells = batch_cells_.data() + done;
        fb.spans = spans_.data();
        fb.n_tokens = n;
        fb.output_rows = output_rows_.data();
        fb.n_outputs = static_cast<int32_t>(output_rows_.size());
        fb.embeddings = embeddings_;
        fb.loras = &loras_;
        // One micro-batch per lease: sessions sharing the threads interleave at this grain.
        const SharedThreadPool::Lease lease = threads_.acquire(n_threads_, stop_check_);
        lamina::forward(model_, cache_, table, lease.pool(), scratch_, fb, logits_.data() + out_row * width,
                      stop_check_, diagnose);
        out_row += output_rows_.size();
    }
}

void Session::set_lora(std::shared_ptr<const LoraAdapter> adapter, float scale) {
    if (&adapter->model() != &model_) {
        fail(LM_ERR_INVALID_ARGUMENT, "LoRA adapter '" + adapter->file().name() +
                                          "' was loaded for another model than this session's");
    }
    if (!std::isfinite(scale)) fail(LM_ERR_INVALID_ARGUMENT, "LoRA scale must be finite");
    for (ActiveLora &l : loras_) {
        if (l.adapter == adapter) {
            l.scale = scale;
            return;
        }
    }
    loras_.push_back({std::move(adapter), scale});
}

bool Session::remove_lora(const LoraAdapter *adapter) {
    const auto it = std::find_if(loras_.begin(), loras_.end(), [&](const ActiveLora &l) { return l.adapter.get() == adapter; });
    if (it == loras_.end()) return false;
    loras_.erase(it);
    return true;
}

void Session::eval(const lm_token *tokens, int32_t n_tokens, int32_t pos, bool all_logits) {
    if (tokens == nullptr || n_tokens <= 0) {
        fail(LM_ERR_INVALID_ARGUMENT, "eval needs at least one token (got " + std::to_string(n_tokens) + ")");
    }
    const int32_t past = n_past();
    if (pos < 0 || pos > past) {
        fail(LM_ERR_INVALID_ARGUMENT, "position " + std::to_string(pos) + " is out of range: the cache holds " +
                                          std::to_string(past) + " positions (0.." + std::to_string(past) + " allowed)");
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
    check_tokens(tokens, n_tokens, model_.hparams().n_vocab);
    n_logit_rows_ = 0;
    cells_.remove(0, pos, -1);
    eval_positions_.resize(static_cast<size_t>(n_tokens));
    eval_seqs_.assign(static_cast<size_t>(n_tokens), 0);
    eval_logits_.assign(static_cast<size_t>(n_tokens), all_logits ? 1 : 0);
    eval_logits_.back() = 1;
    for (int32_t i = 0; i < n_tokens; ++i) eval_positions_[i] = pos + i;
    decode(BatchView{n_tokens, tokens, eval_positions_.data(), eval_seqs_.data(), eval_logits_.data()});
}

void Session::truncate(int32_t n_keep) {
    if (n_keep < 0) fail(LM_ERR_INVALID_ARGUMENT, "truncate: n_keep = " + std::to_string(n_keep) + " is negative");
    cells_.remove(0, n_keep, -1);
    n_logit_rows_ = 0;
}

void Session::seq_remove(int32_t seq, int32_t p0, int32_t p1) {
    if (seq != -1) check_sequence(seq, "seq_remove");
    if (p0 < 0) fail(LM_ERR_INVALID_ARGUMENT, "seq_remove: p0 = " + std::to_string(p0) + " is negative");
    cells_.remove(seq, p0, p1);
}

void Session::seq_copy(int32_t src, int32_t dst, int32_t p0, int32_t p1) {
    check_sequence(src, "seq_copy");
    check_sequence(dst, "seq_copy");
    if (p0 < 0) fail(LM_ERR_INVALID_ARGUMENT, "seq_copy: p0 = " + std::to_string(p0) + " is negative");
    if (src == dst) return;
    // dst's own positions in the range give way, so no position is held twice by dst.
    cells_.remove(dst, p0, p1);
    cells_.copy(src, dst, p0, p1);
}

void Session::seq_keep(int32_t seq) {
    check_sequence(seq, "seq_keep");
    cells_.keep(seq);
}

int32_t Session::seq_pos_max(int32_t seq) const {
    check_sequence(seq, "seq_pos_max");
    return cells_.pos_max(seq);
}

int32_t Session::seq_pos_min(int32_t seq) const {
    check_sequence(seq, "seq_pos_min");
    return cells_.pos_min(seq);
}

const float *Session::logits(int32_t row) const {
    if (embeddings_) {
        fail(LM_ERR_INVALID_ARGUMENT, "this session outputs embeddings, not logits (lm_session_embeddings)");
    }
    return output_row(row);
}

const float *Session::embeddings(int32_t row) const {
    if (!embeddings_) {
        fail(LM_ERR_INVALID_ARGUMENT, "this session outputs logits: make it with embeddings = true for embeddings");
    }
    return output_row(row);
}

const float *Session::output_row(int32_t row) const {
    if (n_logit_rows_ == 0) fail(LM_ERR_INVALID_ARGUMENT, "no logits: nothing was evaluated since the last change");
    if (row == -1) row = n_logit_rows_ - 1;
    if (row < 0 || row >= n_logit_rows_) {
        fail(LM_ERR_INVALID_ARGUMENT, "logits row " + std::to_string(row) + " is out of range (0.." +
                                          std::to_string(n_logit_rows_ - 1) + ", or -1 for the last)");
    }
    return logits_.data() + static_cast<size_t>(row) * row_width();
}

Session::Guard::Guard(const Session &s) : s_(s) {
    if (s_.busy_.exchange(true, std::memory_order_acquire)) {
        fail(LM_ERR_BUSY, "the session is in use by another thread; a session must be used by one thread at a time");
    }
}

Session::Guard::~Guard() { s_.busy_.store(false, std::memory_order_release); }

}  // namespace lamina
