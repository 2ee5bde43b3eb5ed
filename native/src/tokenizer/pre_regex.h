// The regexes of llama.cpp's pre-tokenizer table that have no hand-written splitter, matched as
// llama.cpp's general fallback matches them: std::regex (ECMAScript: leftmost match, the first
// alternative that succeeds, greedy quantifiers, atomic lookaheads) over a "collapsed" text.
//
// A regex naming Unicode categories (\p{L}, \p{N}, \p{P}, \p{M}, \p{S}, \p{Lu} ...) is matched
// against the text with every code point above ASCII replaced by one byte standing for its
// category (0xD1 number, 0xD2 letter, 0xD3 punctuation, 0xD4 mark, 0xD5 symbol, 0xD0 anything
// else, 0x0B whitespace), and each \p{X} is rewritten into [<that byte><X's ASCII members>].
// So \p{Lu} means any letter, and an ASCII character is in a category only by llama.cpp's own
// ASCII lists. A regex without categories is matched against the code points themselves, with
// non-ASCII whitespace replaced by 0x0B (\s knows only ASCII whitespace).
//
// Matching is backtracking on an explicit stack (no recursion per character, so long inputs
// cannot overflow the native stack). Constructs outside the subset below are refused when the
// regex is compiled, never matched approximately: alternation, groups ((...), (?:...)),
// lookaheads ((?=...), (?!...)), greedy * + ? {n} {n,} {n,m}, bracket classes with ranges,
// \s \S \d \D \w \W, escaped literals, $ (end of the piece).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lamina {

// The text a regex runs over, in both representations (each computed once, on first use).
class PreRegexText {
public:
    explicit PreRegexText(const std::vector<uint32_t> &cps) : cps_(cps) {}
    const std::vector<uint32_t> &cps() const { return cps_; }
    const std::vector<uint32_t> &collapsed() const;
    const std::vector<uint32_t> &wide() const;

private:
    const std::vector<uint32_t> &cps_;
    mutable std::vector<uint32_t> collapsed_, wide_;
    mutable bool have_collapsed_ = false, have_wide_ = false;
};

class PreRegex {
public:
    // Throws LaminaError(LM_ERR_INTERNAL) naming the construct it does not support.
    explicit PreRegex(std::string_view pattern);
    ~PreRegex();
    PreRegex(PreRegex &&) noexcept;
    PreRegex &operator=(PreRegex &&) noexcept;

    // Splits each piece of `pieces` (lengths in code points, covering the text) as llama.cpp's
    // std::regex_iterator pass does: every match and every run of text between matches becomes
    // a piece of its own. An empty match yields an empty piece, as it does there.
    void split(const PreRegexText &text, const std::vector<size_t> &pieces, std::vector<size_t> &out) const;

    const std::string &pattern() const { return pattern_; }
    bool collapsed() const { return collapsed_; }

private:
    struct Program;
    std::string pattern_;
    bool collapsed_ = false;
    std::unique_ptr<Program> program_;
};

}  // namespace lamina
