// Pre-tokenizers of byte-level BPE vocabularies: split text into the words BPE merges run in,
// as the regexes named by tokenizer.ggml.pre do in llama.cpp. One table (pre_tokenizer.cpp)
// lists every supported name with llama.cpp's regexes and flags. Each regex of an entry splits
// the pieces the previous one produced; a regex llama.cpp matches with hand-written code is
// matched by the same hand-written logic here, every other one by PreRegex, which reproduces
// llama.cpp's std::regex fallback (pre_regex.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lamina {

class PreRegex;

class PreTokenizer {
public:
    // The pre-tokenizer of a tokenizer.ggml.pre value ("" is llama.cpp's "default"). Throws
    // LaminaError(LM_ERR_UNSUPPORTED) naming an unknown name and listing the supported ones.
    // The result lives as long as the program.
    static const PreTokenizer &for_name(std::string_view name);
    // Every supported name, in table order.
    static std::vector<std::string> names();

    // The entry's first name (llama.cpp maps several names to one entry).
    const std::string &name() const { return names_.front(); }
    const std::vector<std::string> &regexes() const { return regexes_; }
    // A whole pre-tokenized word is one token when the vocabulary has it (llama.cpp's ignore_merges).
    bool ignore_merges() const { return flags_ & kIgnoreMerges; }
    // tokenizer.ggml.add_bos_token's value when the file does not set it.
    bool add_bos_default() const { return flags_ & kAddBos; }
    // Whether the BOS id defaults to llama.cpp's BPE default (11) when the file gives none;
    // false where llama.cpp defaults to no BOS (GLM 4).
    bool has_default_bos() const { return !(flags_ & kNoDefaultBos); }
    // llama.cpp's clean_spaces (clean_up_tokenization_spaces), which only its detokenizer reads.
    bool clean_spaces() const { return flags_ & kCleanSpaces; }

    // Splits code points `cps` into words; appends each word's length (in code points) to
    // `words`. Words may be empty (an empty regex match), as in llama.cpp.
    void split(const std::vector<uint32_t> &cps, std::vector<size_t> &words) const;

    enum Flag : uint32_t {
        kIgnoreMerges = 1,
        kAddBos = 2,
        kNoDefaultBos = 4,
        kCleanSpaces = 8,
    };
    // Built from a table entry; throws LaminaError for a regex PreRegex cannot compile.
    PreTokenizer(std::vector<std::string> names, std::vector<std::string> regexes, uint32_t flags);
    ~PreTokenizer();
    PreTokenizer(PreTokenizer &&) noexcept;
    PreTokenizer(const PreTokenizer &) = delete;
    PreTokenizer &operator=(const PreTokenizer &) = delete;

    // How a regex is split: by llama.cpp's own hand-written logic (which is what counts, even
    // where std::regex would differ), by hand-written code equivalent to the general matcher
    // (only faster; tests compare the two), or by the general matcher.
    enum class Splitting { LlamaCppHandWritten, EquivalentHandWritten, Matcher };
    static Splitting splitting_of(std::string_view regex);
    // Splits `cps` with one regex the way the table does (hand-written code where there is some).
    static void split_one(std::string_view regex, const std::vector<uint32_t> &cps, std::vector<size_t> &words);

private:
    struct Step;
    std::vector<std::string> names_;
    std::vector<std::string> regexes_;
    uint32_t flags_;
    std::vector<Step> steps_;
};

// Splits `cps` with one regex as llama.cpp's std::regex fallback would, ignoring any
// hand-written splitter for it: for tests comparing the hand-written code with the matcher.
void pre_regex_split(std::string_view regex, const std::vector<uint32_t> &cps, std::vector<size_t> &words);

}  // namespace lamina
