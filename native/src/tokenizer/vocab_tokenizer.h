// What the SentencePiece and byte-level BPE tokenizers share: the vocabulary, its special ids,
// input validation and the special-token pass. Subclasses tokenize the text between specials.
#pragma once

#include "tokenizer/special_split.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocabulary.h"

namespace lamina {

class VocabTokenizer : public Tokenizer {
public:
    explicit VocabTokenizer(Vocabulary vocab) : vocab_(std::move(vocab)), specials_(vocab_) {}
    VocabTokenizer(const VocabTokenizer &) = delete;  // specials_ points into vocab_
    VocabTokenizer &operator=(const VocabTokenizer &) = delete;

    int32_t n_vocab() const override { return vocab_.size(); }
    lm_token bos() const override { return vocab_.bos(); }
    lm_token eos() const override { return vocab_.eos(); }
    lm_token eot() const override { return vocab_.eot(); }
    bool add_bos() const override { return vocab_.add_bos(); }
    bool is_eog(lm_token id) const override { return id >= 0 && vocab_.is_eog(id); }

    // Validates the UTF-8, cuts out special tokens, prepends BOS when `add_bos` is true and the
    // vocabulary has one, and hands each text fragment to encode_fragments().
    std::vector<lm_token> encode(std::string_view text, bool add_bos, bool parse_special) const override;

    std::string piece(lm_token id, bool render_special) const override;

    const Vocabulary &vocab() const { return vocab_; }

protected:
    virtual void encode_fragments(std::string_view text, const std::vector<Fragment> &fragments,
                                  std::vector<lm_token> &out) const = 0;
    // The text of a NORMAL token.
    virtual std::string normal_piece(lm_token id) const = 0;

    Vocabulary vocab_;
    SpecialTokenSplitter specials_;  // views into vocab_: declared after it
};

}  // namespace lamina
