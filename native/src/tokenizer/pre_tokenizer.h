// Pre-tokenizers of byte-level BPE vocabularies: split text into the words BPE merges run in,
// as the regexes named by tokenizer.ggml.pre do. The regexes are matched by hand-written code
// (linear time, no std::regex), replicating llama.cpp's unicode.cpp splitting exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace lamina {

enum class PreTokenizer {
    // llama.cpp's "default": [\p{P}\$\+<=>\^~\|]+ , then the GPT-2 regex, then \p{N}+ , then
    // [0-9][0-9][0-9], each splitting the pieces of the previous one.
    Default,
    // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    Gpt2,
    // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
    // \s*[\r\n]+|\s+(?!\S)|\s+
    Llama3,
    // Llama3's regex with single digits (\p{N} instead of \p{N}{1,3}): Qwen 2 / 2.5 / 3.
    Qwen2,
    // \p{N}{1,3}, then [一-龥぀-ゟ゠-ヿ]+, then
    // [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+|
    // ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+ , each splitting the pieces of the previous
    // one, text no alternative matches kept as a piece (DeepSeek V3 / R1).
    DeepSeekV3,
};

// The pre-tokenizer of a tokenizer.ggml.pre value, and whether that vocabulary takes a whole
// pre-tokenized word as one token when the vocabulary has it (llama.cpp's ignore_merges).
// Throws LaminaError(LM_ERR_UNSUPPORTED) naming an unknown name.
struct PreTokenizerSpec {
    PreTokenizer kind;
    bool ignore_merges;
    bool add_bos_default;
};
PreTokenizerSpec pre_tokenizer_for_name(std::string_view name);

// Splits code points `cps` into words; appends each word's length (in code points) to `words`.
void pre_tokenize(PreTokenizer kind, const std::vector<uint32_t> &cps, std::vector<size_t> &words);

}  // namespace lamina
