#include "model/forward.h"

#include <cstring>

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "model/finite_check.h"

namespace lamina {
namespace {

// ALiBi's slope of each head (as llama.cpp and the paper): a geometric sequence over the
// largest power of two of heads, interleaved with a finer one for the rest.
void alibi_slopes(int32_t n_head, float max_bias, std::vector<float> &out) {
    out.resize(static_cast<size_t>(n_head));
    const int32_t n_pow2 = 1 << static_cast<int32_t>(std::floor(std::log2(static_cast<double>(n_head))));
    const float m0 = std::pow(2.0f, -max_bias / n_pow2);
    const float m1 = std::pow(2.0f, -(max_bias / 2.0f) / n_pow2);
    for (int32_t h = 0; h < n_head; ++h) {
        out[h] = h < n_pow2 ? std::pow(m0, static_cast<float>(h + 1)) : std::pow(m1, static_cast<float>(2 * (h - n_pow2) + 1));
    }
}

}  // namespace

Forward::Forward(const Model &model, KvCache &cache, const cpu::KvCellTable &cells, ThreadPool &pool,
                 ForwardScratch &s, const ForwardBatch &batch, float *logits, const StopCheck &should_stop,
                 bool diagnose)
    : model_(model),
      hp_(model.hparams()),
      be_(model.backend()),
      cache_(cache),
      cells_(cells),
      s_(s),
      b_(batch),
      logits_(logits),
      should_stop_(should_stop),
      diagnose_(diagnose),
      T_(batch.n_tokens),
      ctx_{pool, [&]() -> backend::Workspace & {
               if (!s.workspace) s.workspace = model.backend().make_workspace();
               return *s.workspace;
           }()} {
    const int64_t E = hp_.n_embd;
    grow(s_.x, T_ * E);
    grow(s_.xn, T_ * E);
    grow(s_.out, T_ * E);
    grow(s_.xn2, T_ * E);
    grow(s_.out2, T_ * E);
    // Rotary angles depend on the position only: once per token, used by every layer (a second
    // table for the sliding-window layers of a model whose local layers rotate differently).
    if (!hp_.alibi && hp_.n_rot > 0) {
        const Weight &freqs = rope_divisors();
        grow(s_.rope_cos, T_ * (hp_.n_rot / 2));
        grow(s_.rope_sin, T_ * (hp_.n_rot / 2));
        be_.rope_angles(b_.positions, T_, cpu::rope_params(hp_),
                        freqs.present() ? reinterpret_cast<const float *>(freqs.data) : nullptr, s_.rope_cos.data(),
                        s_.rope_sin.data());
        if (hp_.has_swa_rope()) {
            grow(s_.rope_cos_swa, T_ * (hp_.n_rot / 2));
            grow(s_.rope_sin_swa, T_ * (hp_.n_rot / 2));
            be_.rope_angles(b_.positions, T_, cpu::rope_params(hp_, /*swa=*/true),
                            freqs.present() ? reinterpret_cast<const float *>(freqs.data) : nullptr,
                            s_.rope_cos_swa.data(), s_.rope_sin_swa.data());
        }
    }
    if (hp_.alibi && s_.alibi_slopes.size() != static_cast<size_t>(hp_.n_head)) {
        alibi_slopes(hp_.n_head, hp_.alibi_max_bias, s_.alibi_slopes);
    }
}

const Weight &Forward::rope_divisors() const {
    const ModelWeights &w = weights();
    // LongRoPE (Phi-3): the long factors once the context exceeds the original one, as llama.cpp
    // chooses them from the context size, not from the position.
    if (w.rope_factors_long.present() && cache_.n_ctx() > hp_.rope_n_ctx_orig) return w.rope_factors_long;
    if (w.rope_factors_short.present()) return w.rope_factors_short;
    return w.rope_freqs;
}

float *Forward::grow(std::vector<float> &v, int64_t n) {
    if (v.size() < static_cast<size_t>(n)) v.resize(static_cast<size_t>(n));
    return v.data();
}

void Forward::check(const float *data, int64_t width, int32_t layer, const char *step, const Weight *w) const {
    if (diagnose_) require_finite(data, static_cast<size_t>(T_ * width), layer, step, w);
}

void Forward::stop_if_asked(int32_t layer) const {
    if (should_stop_ && should_stop_()) {
        fail(LM_ERR_CANCELLED, "evaluation cancelled at layer " + std::to_string(layer) + " of " +
                                   std::to_string(hp_.n_layer));
    }
}

void Forward::matmul(const Weight &w, const float *in, int64_t n_rows, float *out) const {
    be_.matmul(w, in, n_rows, out, ctx_);
    if (b_.loras == nullptr) return;
    for (const ActiveLora &lora : *b_.loras) {
        const LoraWeight *lw = lora.adapter->find(&w);
        if (lw == nullptr || lora.scale == 0.0f) continue;
        // Two thin products through the backend, as llama.cpp's build_lora_mm: B·(A·x), scaled, added.
        const size_t mid = static_cast<size_t>(n_rows * lw->rank()), full = static_cast<size_t>(n_rows * w.rows);
        if (s_.lora_mid.size() < mid) s_.lora_mid.resize(mid);
        if (s_.lora_out.size() < full) s_.lora_out.resize(full);
        be_.matmul(lw->a, in, n_rows, s_.lora_mid.data(), ctx_);
        be_.matmul(lw->b, s_.lora_mid.data(), n_rows, s_.lora_out.data(), ctx_);
        be_.scale(s_.lora_out.data(), static_cast<int64_t>(full), lora.adapter->factor(*lw, lora.scale));
        be_.add(out, s_.lora_out.data(), static_cast<int64_t>(full));
    }
}

void Forward::add_bias(float *y, int64_t n_rows, const Weight &bias) const {
    const float *b = reinterpret_cast<const float *>(bias.data);
    for (int64_t t = 0; t < n_rows; ++t) be_.add(y + t * bias.cols, b, bias.cols);
}

void Forward::embed(float scale) {
    const Weight &table = weights().token_embd;
    be_.embed(table, b_.tokens, T_, x());
    // Gemma scales by sqrt(n_embd) rounded as its reference does (in the activation type).
    if (scale != 1.0f) be_.scale(x(), T_ * hp_.n_embd, scale);
    check(x(), hp_.n_embd, -1, "token embedding", &table);
    const ModelWeights &w = weights();
    if (w.token_embd_norm.present()) {
        layer_norm(x(), w.token_embd_norm, w.token_embd_norm_b, x(), -1, "embedding norm");
    }
}

void Forward::begin_layer(int32_t l) { stop_if_asked(l); }

void Forward::add(float *y, const float *x) const { be_.add(y, x, T_ * hp_.n_embd); }

void Forward::rms_norm(const float *in, const Weight &w, float *out, int32_t layer, const char *what) {
    be_.rms_norm(in, T_, w, hp_.rms_norm_eps, out);
    check(out, w.cols, layer, what, &w);
}

void Forward::layer_norm(const float *in, const Weight &w, const Weight &b, float *out, int32_t layer,
                         const char *what) {
    be_.layer_norm(in, T_, w, b, hp_.layer_norm_eps, out);
    check(out, w.cols, layer, what, &w);
}

void Forward::add_residual(const float *y, int32_t layer, const char *what) {
    be_.add(x(), y, T_ * hp_.n_embd);
    check(x(), hp_.n_embd, layer, what);
}

void Forward::output_head_rms() {
    if (b_.n_outputs == 0) return;
    const Weight &norm = weights().output_norm;
    for (int64_t t = 0; t < b_.n_outputs; ++t) {
        be_.rms_norm(x() + b_.output_rows[t] * hp_.n_embd, 1, norm, hp_.rms_norm_eps, xn() + t * hp_.n_embd);
    }
    output_head(xn());
}

void Forward::output_head_layer_norm() {
    if (b_.n_outputs == 0) return;
    const ModelWeights &w = weights();
    for (int64_t t = 0; t < b_.n_outputs; ++t) {
        be_.layer_norm(x() + b_.output_rows[t] * hp_.n_embd, 1, w.output_norm, w.output_norm_b, hp_.layer_norm_eps,
                       xn() + t * hp_.n_embd);
    }
    output_head(xn());
}

void Forward::output_head(const float *normed) {
    const int64_t rows = b_.n_outputs;
    const ModelWeights &w = weights();
    if (diagnose_) require_finite(normed, static_cast<size_t>(rows * hp_.n_embd), -1, "output norm", &w.output_norm);
    if (b_.embeddings) {
        std::memcpy(logits_, normed, static_cast<size_t>(rows * hp_.n_embd) * sizeof(float));
        return;
    }
    matmul(w.output, normed, rows, logits_);
    if (w.output_b.present()) add_bias(logits_, rows, w.output_b);
    if (hp_.final_logit_softcap > 0.0f) be_.softcap(logits_, rows * hp_.n_vocab, hp_.final_logit_softcap);
    if (diagnose_) require_finite(logits_, static_cast<size_t>(rows * hp_.n_vocab), -1, "output projection", &w.output);
}

void forward(const Model &model, KvCache &cache, const cpu::KvCellTable &cells, ThreadPool &pool, ForwardScratch &s,
             const ForwardBatch &batch, float *logits, const StopCheck &should_stop, bool diagnose) {
    Forward f(model, cache, cells, pool, s, batch, logits, should_stop, diagnose);
    model.architecture()->forward(f);
}

}  // namespace lamina
