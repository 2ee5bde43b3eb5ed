// The special-token pass that runs before ordinary tokenization (llama.cpp's
// tokenizer_st_partition): occurrences of special token texts are cut out of the text.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lamina.h"

namespace lamina {

class Vocabulary;

// A piece of the input: either a special token or a run of text to tokenize normally.
struct Fragment {
    lm_token token;  // -1 for text
    size_t offset;   // text: byte range in the input
    size_t length;
};

class SpecialTokenSplitter {
public:
    // Keeps views into `vocab`'s texts: `vocab` must outlive the splitter and stay in place.
    explicit SpecialTokenSplitter(const Vocabulary &vocab);

    // Splits `text` at the special tokens, longest token first and each token left to right
    // through the text that is left. With parse_special, CONTROL and UNKNOWN token texts are cut
    // out too; USER_DEFINED ones always are (as in llama.cpp and Hugging Face tokenizers).
    std::vector<Fragment> split(std::string_view text, bool parse_special) const;

private:
    // A special token with a Boyer-Moore-Horspool skip table: searching for hundreds of tokens
    // must not cost hundreds of full passes over text full of their first character.
    struct Pattern {
        lm_token id;
        bool always;  // USER_DEFINED: split out even without parse_special
        std::string_view text;
        std::array<uint8_t, 256> skip;
        size_t find(std::string_view haystack, size_t from) const;
    };
    std::vector<Pattern> patterns_;
};

}  // namespace lamina
