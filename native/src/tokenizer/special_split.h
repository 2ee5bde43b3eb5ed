// The special-token pass that runs before ordinary tokenization (llama.cpp's
// tokenizer_st_partition): occurrences of special token texts are cut out of the text.
#pragma once

#include <cstddef>
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

// Splits `text` at the special tokens of `vocab`, longest token first and each token left to
// right. With parse_special, CONTROL and UNKNOWN token texts are cut out too; USER_DEFINED ones
// always are (as in llama.cpp and Hugging Face tokenizers).
std::vector<Fragment> split_special_tokens(std::string_view text, const Vocabulary &vocab, bool parse_special);

}  // namespace lamina
