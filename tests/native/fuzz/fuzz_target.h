// What one fuzz input exercises, shared by the libFuzzer harness (fuzz_model.cpp) and the
// GoogleTest replay of saved crashes (tests/native/fuzz_regressions_test.cpp).
//
// Input layout: the whole input is parsed as a GGUF file (the reader ignores bytes after the
// last tensor's data), and its tail doubles as tokenizer input:
//     [ ... GGUF bytes ... | text (n bytes) | n (1 byte) | flags (1 byte) ]
// flags bit 0: add_bos, bit 1: parse_special, bit 2: render_special pieces.
//
// Every stage may reject the input with LaminaError: that is the expected outcome for a
// malformed file. Anything else escaping (another exception type), a crash, a hang or a
// sanitizer report is a bug.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "lamina.h"
#include "model/model.h"
#include "runtime/session.h"

namespace lamina::fuzz {

struct TokenizerText {
    std::string_view text;
    bool add_bos = false;
    bool parse_special = false;
    bool render_special = false;

    uint8_t flags() const { return (add_bos ? 1 : 0) | (parse_special ? 2 : 0) | (render_special ? 4 : 0); }
};

// Texts the seeds start from (and the structure mode's whole choice): plain words, multi-byte
// UTF-8 with whitespace runs, and special-token texts.
inline const std::vector<TokenizerText> &tokenizer_texts() {
    static const std::vector<TokenizerText> texts = {
        {"Hello world", true, false, false},
        {" \xC3\xA9t\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 123\n\n\t  x", false, true, false},
        {"<s></s><|begin_of_text|><|eot_id|> a<0x0A>", true, true, true},
        {"\xff invalid", false, false, true},
    };
    return texts;
}

inline TokenizerText tail_text(const uint8_t *data, size_t size) {
    TokenizerText t;
    if (size < 2) return t;
    const uint8_t flags = data[size - 1];
    const size_t n = std::min<size_t>(data[size - 2], size - 2);
    t.text = std::string_view(reinterpret_cast<const char *>(data + size - 2 - n), n);
    t.add_bos = flags & 1;
    t.parse_special = flags & 2;
    t.render_special = flags & 4;
    return t;
}

// Tokenizes the tail text, renders pieces of the ids it produced and of the first tokens of
// the vocabulary, and asks is_eog on each. Rejections (invalid UTF-8) are LaminaError.
inline void exercise_tokenizer(const Model &model, const TokenizerText &t) {
    // Rendering every metadata value (what `lamina info` and lm_model_meta_value_text do).
    for (const GgufKv &kv : model.file().metadata()) (void)GgufFile::value_to_text(kv.value);
    const Tokenizer &tok = model.tokenizer();
    std::vector<lm_token> ids;
    try {
        ids = tok.encode(t.text, t.add_bos, t.parse_special);
    } catch (const LaminaError &) {
        // invalid UTF-8 and the like: still render the vocabulary below
    }
    const int32_t n_vocab = tok.n_vocab();
    for (lm_token id = 0; id < std::min<int32_t>(n_vocab, 64); ++id) ids.push_back(id);
    ids.push_back(n_vocab - 1);
    for (lm_token id : ids) {
        (void)tok.piece(id, t.render_special);
        (void)tok.is_eog(id);
    }
    // Ids out of range must be rejected as errors.
    for (lm_token bad : {-1, n_vocab}) {
        try {
            (void)tok.piece(bad, t.render_special);
        } catch (const LaminaError &) {
        }
    }
    (void)tok.bos();
    (void)tok.eos();
    (void)tok.eot();
}

// Evaluates a couple of tokens on a model that loaded with weights, when it is small enough
// to keep executions fast (fuzzed shapes can describe arbitrarily expensive models).
inline void exercise_forward(const Model &model) {
    const ModelHparams &hp = model.hparams();
    const int64_t per_token = int64_t{hp.n_layer} *
                              (int64_t{hp.n_embd} * (hp.n_embd_q() + hp.n_embd_k() + hp.n_embd_v() + 3 * int64_t{hp.n_ff} * std::max(1, hp.n_expert)) +
                               int64_t{hp.n_embd_q()} * hp.n_embd) +
                              int64_t{hp.n_embd} * hp.n_vocab;
    if (per_token > (int64_t{1} << 22)) return;
    lm_session_params p{};
    p.n_ctx = 8;
    p.n_batch = 4;
    p.n_threads = 1;
    p.n_seq_max = 2;
    SharedThreadPool threads;
    Session session(model, threads, p);
    const lm_token tokens[3] = {0, hp.n_vocab - 1, hp.n_vocab / 2};
    session.eval(tokens, 3, 0, /*all_logits=*/true);
    session.eval(tokens, 1, 3, /*all_logits=*/false);
    (void)session.logits(-1);
    // A second sequence forked from the first two positions, stepped together with the first.
    session.seq_copy(0, 1, 0, 2);
    const lm_token step_tokens[2] = {tokens[2], tokens[1]};
    const int32_t positions[2] = {4, 2}, seqs[2] = {0, 1};
    const uint8_t wanted[2] = {1, 1};
    session.decode(BatchView{2, step_tokens, positions, seqs, wanted});
    (void)session.logits(1);
}

// One fuzz execution. Returns normally for accepted and for rejected inputs; anything that
// is not a LaminaError propagates (and is reported as a bug by the caller).
inline void run_one_input(const uint8_t *data, size_t size) {
    const TokenizerText text = tail_text(data, size);
    for (bool vocab_only : {true, false}) {
        std::unique_ptr<Model> model;
        try {
            // Full loads repack what the CPU variant has interleaved kernels for, as lm_model_load does.
            model = Model::from_gguf(GgufFile::parse(data, size, "fuzz-input"), vocab_only,
                                          /*repack_weights=*/!vocab_only);
        } catch (const LaminaError &) {
            if (vocab_only) return;  // the full load would fail the same way or earlier
            continue;
        }
        try {
            if (vocab_only) {
                exercise_tokenizer(*model, text);
            } else {
                exercise_forward(*model);
            }
        } catch (const LaminaError &) {
        }
    }
}

}  // namespace lamina::fuzz
