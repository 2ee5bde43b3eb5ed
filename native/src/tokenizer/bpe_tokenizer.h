// Byte-level BPE (tokenizer.ggml.model = "gpt2"): the pre-tokenizer splits text into words, each
// word's bytes are mapped to GPT-2's printable code points, and adjacent symbols are merged by
// the rank of their pair in tokenizer.ggml.merges, lowest rank first.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/vocab_tokenizer.h"

namespace lamina {

class BpeTokenizer final : public VocabTokenizer {
public:
    BpeTokenizer(const GgufFile &file, Vocabulary vocab, const PreTokenizer &pre);

protected:
    void encode_fragments(std::string_view text, const std::vector<Fragment> &fragments,
                          std::vector<lm_token> &out) const override;
    std::string normal_piece(lm_token id) const override;

private:
    struct Scratch;
    void encode_word(std::string_view word, Scratch &scratch, std::vector<lm_token> &out) const;
    // Id of a text that appears in a merge (a token id, or an id past the vocabulary for merge
    // halves that are not tokens), -1 if it appears in none.
    int32_t symbol_id(std::string_view text) const;
    struct MergeRule {
        int32_t rank;
        int32_t result;  // symbol_id() of the merged text
    };
    const MergeRule *find_merge(int32_t left, int32_t right) const;

    const PreTokenizer &pre_;  // lives as long as the program
    std::deque<std::string> extra_symbols_;                           // merge halves that are no token
    std::unordered_map<std::string_view, int32_t> extra_symbol_ids_;  // views into extra_symbols_
    std::unordered_map<uint64_t, MergeRule> merges_;                  // by (left id, right id)
    std::array<int32_t, 256> single_byte_tokens_;  // token of a 1-byte text, -1 if none
};

}  // namespace lamina
