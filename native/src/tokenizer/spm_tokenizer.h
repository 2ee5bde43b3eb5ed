// SentencePiece-style BPE (tokenizer.ggml.model = "llama"): spaces become U+2581, adjacent
// symbols are merged highest-scoring pair first while the merged text is a token, and what
// never becomes a token falls back to <0xXX> byte tokens.
#pragma once

#include <array>

#include "tokenizer/vocab_tokenizer.h"

namespace lamina {

class SpmTokenizer final : public VocabTokenizer {
public:
    explicit SpmTokenizer(Vocabulary vocab);

protected:
    void encode_fragments(std::string_view text, const std::vector<Fragment> &fragments,
                          std::vector<lm_token> &out) const override;
    std::string normal_piece(lm_token id) const override;

private:
    // Tokenizes one fragment, already space-escaped.
    void encode_escaped(std::string_view text, std::vector<lm_token> &out) const;

    std::array<lm_token, 256> byte_tokens_;  // <0xXX> (or the bare byte) per byte, -1 if absent
};

}  // namespace lamina
