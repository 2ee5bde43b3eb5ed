// SentencePiece-style BPE (tokenizer.ggml.model = "llama"): spaces become U+2581, adjacent
// symbols are merged highest-scoring pair first while the merged text is a token, and what
// never becomes a token falls back to <0xXX> byte tokens.
#pragma once

#include <array>
#include <unordered_set>

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
    struct Scratch;
    // Tokenizes one fragment, already space-escaped.
    void encode_escaped(std::string_view text, Scratch &scratch, std::vector<lm_token> &out) const;
    // Runs the merges on symbols [begin, end) and emits their tokens.
    void merge_run(std::string_view text, int begin, int end, Scratch &scratch, std::vector<lm_token> &out) const;
    void emit_symbol(std::string_view piece, std::vector<lm_token> &out) const;

    std::array<lm_token, 256> byte_tokens_;  // <0xXX> (or the bare byte) per byte, -1 if absent
    // Every pair of code points that occur next to each other inside some token. Where two
    // neighbouring characters of the input are no such pair, no merge can ever join them, so
    // the text on either side is merged independently (same result, far smaller work queues).
    std::unordered_set<uint64_t> joinable_pairs_;
};

}  // namespace lamina
