// Text <-> token ids from a GGUF file's tokenizer.ggml.* metadata, as llama.cpp does it:
// SentencePiece-style BPE with byte fallback (model "llama") and byte-level BPE (model "gpt2")
// with the pre-tokenizer named by tokenizer.ggml.pre.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lamina.h"

namespace lamina {

class GgufFile;

class Tokenizer {
public:
    // Reads the vocabulary from `file`. Throws LaminaError naming the key on missing or bad
    // metadata, and LM_ERR_UNSUPPORTED naming an unknown tokenizer model or pre-tokenizer.
    static std::unique_ptr<Tokenizer> from_gguf(const GgufFile &file);
    virtual ~Tokenizer() = default;

    virtual int32_t n_vocab() const = 0;
    virtual lm_token bos() const = 0;  // -1 if none
    virtual lm_token eos() const = 0;  // -1 if none
    virtual lm_token eot() const = 0;  // -1 if none
    virtual bool add_bos() const = 0;  // tokenizer.ggml.add_bos_token (or the model's default)

    // Token ids of UTF-8 `text`. Throws LaminaError(LM_ERR_INVALID_ARGUMENT) on invalid UTF-8.
    virtual std::vector<lm_token> encode(std::string_view text, bool add_bos,
                                         bool parse_special) const = 0;
    // The bytes of one token (may be a partial UTF-8 sequence). Control tokens are "" unless
    // render_special. Throws LaminaError(LM_ERR_INVALID_ARGUMENT) for an id out of range.
    virtual std::string piece(lm_token id, bool render_special) const = 0;
    // End of generation: EOS, EOT and tokens the vocabulary marks as such.
    virtual bool is_eog(lm_token id) const = 0;
};

}  // namespace lamina
