#include "tokenizer/pre_tokenizer.h"

#include <string>

#include "common/error.h"
#include "tokenizer/pre_regex.h"
#include "tokenizer/unicode_class.h"

namespace lamina {

namespace {

// A piece of the text (a run of code points) under one splitting pass. Each pass splits every
// piece the previous pass produced and never joins pieces, as llama.cpp's regex cascade does.
class Splitter {
public:
    Splitter(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out)
        : cps_(cps), end_(end), prev_end_(begin), out_(out) {}

    bool valid(size_t i) const { return i < end_; }
    uint32_t cp(size_t i) const { return i < end_ ? cps_[i] : 0xFFFFFFFFu; }
    bool letter(size_t i) const { return i < end_ && codepoint_info(cps_[i]).is_letter(); }
    bool number(size_t i) const { return i < end_ && codepoint_info(cps_[i]).is_number(); }
    bool space(size_t i) const { return i < end_ && codepoint_info(cps_[i]).is_whitespace(); }
    // [^\s\p{L}\p{N}]
    bool other(size_t i) const {
        if (i >= end_) return false;
        const CodepointInfo info = codepoint_info(cps_[i]);
        return !info.is_whitespace() && !info.is_letter() && !info.is_number();
    }

    // Ends the current word at `end` (empty words are dropped); returns its length.
    size_t emit(size_t end) {
        const size_t len = end - prev_end_;
        if (len > 0) out_.push_back(len);
        prev_end_ = end;
        return len;
    }

    // Length of a contraction ('s 't 'm 'd 're 've 'll) at `pos`, 0 if none.
    size_t contraction(size_t pos, bool ignore_case) const {
        if (cp(pos) != '\'' || !valid(pos + 1)) return 0;
        auto lower = [&](uint32_t c) { return ignore_case && c >= 'A' && c <= 'Z' ? c + 32 : c; };
        const uint32_t c1 = lower(cp(pos + 1));
        if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') return 2;
        if (!valid(pos + 2)) return 0;
        const uint32_t c2 = lower(cp(pos + 2));
        if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) return 3;
        return 0;
    }

    size_t end() const { return end_; }

private:
    const std::vector<uint32_t> &cps_;
    size_t end_;
    size_t prev_end_;
    std::vector<size_t> &out_;
};

void split_gpt2(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    Splitter s(cps, begin, end, out);
    size_t pos = begin;
    while (pos < end) {
        if (const size_t n = s.contraction(pos, false)) {
            pos += s.emit(pos + n);
            continue;
        }
        // " ?X+" for X = \p{L}, \p{N}, [^\s\p{L}\p{N}]: the class is decided after the space.
        const size_t first = s.cp(pos) == ' ' ? pos + 1 : pos;
        if (s.letter(first)) {
            for (pos = first; s.letter(pos);) ++pos;
            s.emit(pos);
            continue;
        }
        if (s.number(first)) {
            for (pos = first; s.number(pos);) ++pos;
            s.emit(pos);
            continue;
        }
        if (s.other(first)) {
            for (pos = first; s.other(pos);) ++pos;
            s.emit(pos);
            continue;
        }
        size_t n_space = 0;
        while (s.space(pos + n_space)) ++n_space;
        if (n_space > 1 && s.valid(pos + n_space)) {  // \s+(?!\S): leave the last space to the next word
            pos += n_space - 1;
            s.emit(pos);
            continue;
        }
        if (n_space > 0) {  // \s+
            pos += n_space;
            s.emit(pos);
            continue;
        }
        s.emit(++pos);  // matched by nothing: a word of its own
    }
}

// The Llama 3 regex; max_digits is its \p{N}{1,max_digits} (Qwen 2 takes one digit at a time).
void split_llama3_digits(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out,
                         size_t max_digits) {
    Splitter s(cps, begin, end, out);
    size_t pos = begin;
    while (pos < end) {
        const uint32_t c = s.cp(pos);
        if (const size_t n = s.contraction(pos, true)) {
            pos += s.emit(pos + n);
            continue;
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (c != '\r' && c != '\n' && !s.number(pos) && (s.letter(pos) || s.letter(pos + 1))) {
            for (++pos; s.letter(pos);) ++pos;
            s.emit(pos);
            continue;
        }
        // \p{N}{1,3}
        if (s.number(pos)) {
            size_t run_start = pos;
            while (s.number(pos)) {
                if (++pos - run_start >= max_digits) {
                    s.emit(pos);
                    run_start = pos;
                }
            }
            s.emit(pos);
            continue;
        }
        // " ?[^\s\p{L}\p{N}]+[\r\n]*". As in llama.cpp, a space at the very end of the piece also
        // takes this branch (as a word of its own, which is what \s+ would give too).
        const size_t first = c == ' ' ? pos + 1 : pos;
        if (!s.valid(first) || s.other(first)) {
            for (pos = first; s.other(pos);) ++pos;
            while (s.cp(pos) == '\r' || s.cp(pos) == '\n') ++pos;
            s.emit(pos);
            continue;
        }
        size_t n_space = 0;
        size_t after_last_newline = 0;
        while (s.space(pos + n_space)) {
            const uint32_t w = s.cp(pos + n_space);
            if (w == '\r' || w == '\n') after_last_newline = pos + n_space + 1;
            ++n_space;
        }
        if (after_last_newline > 0) {  // \s*[\r\n]+
            pos = after_last_newline;
            s.emit(pos);
            continue;
        }
        if (n_space > 1 && s.valid(pos + n_space)) {  // \s+(?!\S)
            pos += n_space - 1;
            s.emit(pos);
            continue;
        }
        if (n_space > 0) {  // \s+
            pos += n_space;
            s.emit(pos);
            continue;
        }
        s.emit(++pos);
    }
}

void split_llama3(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    split_llama3_digits(cps, begin, end, out, 3);
}

void split_qwen2(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    split_llama3_digits(cps, begin, end, out, 1);
}

// The classes of DeepSeek V3's regexes: the Unicode categories ('~' a symbol, as llama.cpp's
// DeepSeek V3 splitting has it; its generic collapsed-regex path would leave '~' out of \p{S}),
// with whitespace outside every category.
struct DeepSeekClass {
    static UnicodeClass of(uint32_t cp) {
        const CodepointInfo info = codepoint_info(cp);
        return info.is_whitespace() ? UnicodeClass::Undefined : info.cls();
    }
    static bool space(uint32_t cp) { return codepoint_info(cp).is_whitespace(); }
};

// \p{N}{1,3}, the text between matches kept.
void split_number_triples(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    auto number = [&](size_t i) { return i < end && DeepSeekClass::of(cps[i]) == UnicodeClass::Number; };
    size_t gap = begin, pos = begin;
    while (pos < end) {
        if (!number(pos)) {
            ++pos;
            continue;
        }
        if (pos > gap) out.push_back(pos - gap);
        size_t n = 0;
        while (n < 3 && number(pos + n)) ++n;
        out.push_back(n);
        pos += n;
        gap = pos;
    }
    if (end > gap) out.push_back(end - gap);
}

// [一-龥぀-ゟ゠-ヿ]+ (CJK ideographs, hiragana, katakana), the text between runs kept.
void split_cjk_runs(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    auto cjk = [](uint32_t c) { return (c >= 0x4E00 && c <= 0x9FA5) || (c >= 0x3040 && c <= 0x309F) || (c >= 0x30A0 && c <= 0x30FF); };
    size_t pos = begin;
    while (pos < end) {
        const bool inside = cjk(cps[pos]);
        const size_t start = pos;
        while (pos < end && cjk(cps[pos]) == inside) ++pos;
        out.push_back(pos - start);
    }
}

// DeepSeek V3's last regex. Code points no alternative matches (digits, '~', controls) run
// together into one piece up to the next match, as llama.cpp keeps the text between matches.
void split_deepseek_v3(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    using C = DeepSeekClass;
    auto cls = [&](size_t i) { return i < end ? C::of(cps[i]) : UnicodeClass::Undefined; };
    auto valid = [&](size_t i) { return i < end; };
    auto ascii_letter = [&](size_t i) {
        return i < end && ((cps[i] >= 'A' && cps[i] <= 'Z') || (cps[i] >= 'a' && cps[i] <= 'z'));
    };
    auto ascii_punct = [&](size_t i) {
        if (i >= end) return false;
        const uint32_t c = cps[i];
        return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
    };
    auto letter_or_mark = [&](size_t i) {
        const UnicodeClass k = cls(i);
        return valid(i) && (k == UnicodeClass::Letter || k == UnicodeClass::Mark);
    };
    auto punct_or_symbol = [&](size_t i) {
        const UnicodeClass k = cls(i);
        return valid(i) && (k == UnicodeClass::Punctuation || k == UnicodeClass::Symbol);
    };
    auto space = [&](size_t i) { return i < end && C::space(cps[i]); };
    auto newline = [&](size_t i) { return i < end && (cps[i] == '\r' || cps[i] == '\n'); };

    size_t gap = begin, pos = begin;
    const auto match = [&](size_t start, size_t stop) {
        if (start > gap) out.push_back(start - gap);
        out.push_back(stop - start);
        pos = gap = stop;
    };
    while (pos < end) {
        // [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+
        if (ascii_punct(pos) && ascii_letter(pos + 1)) {
            size_t e = pos + 1;
            while (ascii_letter(e)) ++e;
            match(pos, e);
            continue;
        }
        // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
        {
            const UnicodeClass k = cls(pos);
            const bool prefix = !newline(pos) && k != UnicodeClass::Letter && k != UnicodeClass::Punctuation &&
                                k != UnicodeClass::Symbol;
            size_t e = pos;
            if (prefix && letter_or_mark(pos + 1)) e = pos + 1;
            if (letter_or_mark(e)) {
                while (letter_or_mark(e)) ++e;
                match(pos, e);
                continue;
            }
        }
        //  ?[\p{P}\p{S}]+[\r\n]*
        {
            const size_t first = cps[pos] == ' ' ? pos + 1 : pos;
            if (punct_or_symbol(first)) {
                size_t e = first;
                while (punct_or_symbol(e)) ++e;
                while (newline(e)) ++e;
                match(pos, e);
                continue;
            }
        }
        if (space(pos)) {
            size_t n = 0, after_newline = 0;
            while (space(pos + n)) {
                if (newline(pos + n)) after_newline = pos + n + 1;
                ++n;
            }
            if (after_newline > 0) {  // \s*[\r\n]+ (backtracking to the last newline)
                match(pos, after_newline);
            } else if (n > 1 && valid(pos + n)) {  // \s+(?!\S)
                match(pos, pos + n - 1);
            } else {  // \s+
                match(pos, pos + n);
            }
            continue;
        }
        ++pos;  // no alternative matches here: part of the text between matches
    }
    if (end > gap) out.push_back(end - gap);
}

// Splits [begin, end) into maximal runs of code points in a class and the runs between them:
// what a regex "[class]+" does when its matches and the text between them are both kept.
template <typename InClass>
void split_runs(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out,
                InClass in_class) {
    size_t pos = begin;
    while (pos < end) {
        const bool inside = in_class(cps[pos]);
        const size_t start = pos;
        while (pos < end && in_class(cps[pos]) == inside) ++pos;
        out.push_back(pos - start);
    }
}

// [\p{P}\$\+<=>\^~\|] as llama.cpp evaluates it: ASCII by its own list (all ASCII punctuation
// and symbols but the backtick), other code points by their class.
bool is_default_punctuation(uint32_t cp) {
    if (cp < 128) {
        return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x5F) ||
               (cp >= 0x7B && cp <= 0x7E);
    }
    const CodepointInfo info = codepoint_info(cp);
    return !info.is_whitespace() && info.is_punctuation();
}

bool is_default_number(uint32_t cp) {
    if (cp < 128) return cp >= '0' && cp <= '9';
    const CodepointInfo info = codepoint_info(cp);
    return !info.is_whitespace() && info.is_number();
}

// [0-9][0-9][0-9]: successive non-overlapping ASCII digit triples, text between them kept.
void split_digit_triples(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    auto digit = [&](size_t i) { return i < end && cps[i] >= '0' && cps[i] <= '9'; };
    size_t gap_start = begin;
    size_t pos = begin;
    while (pos < end) {
        if (digit(pos) && digit(pos + 1) && digit(pos + 2)) {
            if (pos > gap_start) out.push_back(pos - gap_start);
            out.push_back(3);
            pos += 3;
            gap_start = pos;
        } else {
            ++pos;
        }
    }
    if (end > gap_start) out.push_back(end - gap_start);
}

// Qwen 3.5's regex: Qwen 2's with marks joining letters, as llama.cpp's hand-written splitter
// has it: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}|
//  ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
void split_qwen35(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    Splitter s(cps, begin, end, out);
    auto mark = [&](size_t i) { return i < end && codepoint_info(cps[i]).cls() == UnicodeClass::Mark; };
    auto word = [&](size_t i) { return s.letter(i) || mark(i); };
    // [^\s\p{L}\p{M}\p{N}], and only inside the piece
    auto other = [&](size_t i) { return s.other(i) && !mark(i); };
    size_t pos = begin;
    while (pos < end) {
        const uint32_t c = s.cp(pos);
        if (const size_t n = s.contraction(pos, true)) {
            pos += s.emit(pos + n);
            continue;
        }
        if (c != '\r' && c != '\n' && !s.number(pos) && (word(pos) || word(pos + 1))) {
            for (++pos; word(pos);) ++pos;
            s.emit(pos);
            continue;
        }
        if (s.number(pos)) {
            s.emit(++pos);
            continue;
        }
        const size_t first = c == ' ' ? pos + 1 : pos;
        if (other(first)) {
            for (pos = first; other(pos);) ++pos;
            while (s.cp(pos) == '\r' || s.cp(pos) == '\n') ++pos;
            s.emit(pos);
            continue;
        }
        size_t n_space = 0;
        size_t after_last_newline = 0;
        while (s.space(pos + n_space)) {
            const uint32_t w = s.cp(pos + n_space);
            if (w == '\r' || w == '\n') after_last_newline = pos + n_space + 1;
            ++n_space;
        }
        if (after_last_newline > 0) {
            pos = after_last_newline;
            s.emit(pos);
            continue;
        }
        if (n_space > 1 && s.valid(pos + n_space)) {
            pos += n_space - 1;
            s.emit(pos);
            continue;
        }
        if (n_space > 0) {
            pos += n_space;
            s.emit(pos);
            continue;
        }
        s.emit(++pos);
    }
}

// \p{Han} as llama.cpp's Kimi K2 splitting takes it: the CJK ideograph blocks.
bool is_han(uint32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0x2CEB0 && c <= 0x2EBEF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// Kimi K2's regexes, all in one pass as llama.cpp's hand-written splitter does them:
// [\p{Han}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]*[\p{Ll}\p{Lm}\p{Lo}\p{M}&&[^\p{Han}]]+
// (?i:'s|'t|'re|'ve|'m|'ll|'d)?|...|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// where a letter is any non-Han \p{L} (case is not looked at, as there).
void split_kimi_k2(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    Splitter s(cps, begin, end, out);
    auto han = [&](size_t i) { return i < end && is_han(cps[i]); };
    auto word = [&](size_t i) { return s.letter(i) && !han(i); };
    size_t pos = begin;
    while (pos < end) {
        const uint32_t c = s.cp(pos);
        if (han(pos)) {
            while (han(pos)) ++pos;
            s.emit(pos);
            continue;
        }
        const bool may_lead = c != '\r' && c != '\n' && !s.letter(pos) && !s.number(pos);
        if (word(pos) || (may_lead && word(pos + 1))) {
            if (may_lead) ++pos;
            while (word(pos)) ++pos;
            pos += s.contraction(pos, true);
            s.emit(pos);
            continue;
        }
        if (s.number(pos)) {
            size_t run_start = pos;
            while (s.number(pos)) {
                if (++pos - run_start >= 3) {
                    s.emit(pos);
                    run_start = pos;
                }
            }
            s.emit(pos);
            continue;
        }
        const size_t first = c == ' ' ? pos + 1 : pos;
        if (s.other(first)) {
            for (pos = first; s.other(pos);) ++pos;
            while (s.cp(pos) == '\r' || s.cp(pos) == '\n') ++pos;
            s.emit(pos);
            continue;
        }
        size_t n_space = 0;
        size_t after_last_newline = 0;
        while (s.space(pos + n_space)) {
            const uint32_t w = s.cp(pos + n_space);
            if (w == '\r' || w == '\n') after_last_newline = pos + n_space + 1;
            ++n_space;
        }
        if (after_last_newline > 0) {
            pos = after_last_newline;
            s.emit(pos);
            continue;
        }
        if (n_space > 1 && s.valid(pos + n_space)) {
            pos += n_space - 1;
            s.emit(pos);
            continue;
        }
        if (n_space > 0) {
            pos += n_space;
            s.emit(pos);
            continue;
        }
        s.emit(++pos);
    }
}

// Runs of \p{N} cut into threes counted from the right (1234567 -> 1 234 567), the text
// between runs kept: llama.cpp's hand-written splitter for AFMoE's and Tiny Aya's digit regexes.
void split_digit_groups_from_right(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    Splitter s(cps, begin, end, out);
    size_t pos = begin;
    while (pos < end) {
        if (!s.number(pos)) {
            ++pos;
            continue;
        }
        const size_t run_start = pos;
        while (s.number(pos)) ++pos;
        size_t at = run_start + (pos - run_start) % 3;
        s.emit(run_start);
        s.emit(at);
        for (; at < pos; at += 3) s.emit(at + 3);
    }
    s.emit(end);
}

// [^\n]+|[\n]+
void split_newline_runs(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    split_runs(cps, begin, end, out, [](uint32_t c) { return c == '\n'; });
}

using SplitFn = void (*)(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out);

void split_default_punctuation(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    split_runs(cps, begin, end, out, is_default_punctuation);
}

void split_number_runs(const std::vector<uint32_t> &cps, size_t begin, size_t end, std::vector<size_t> &out) {
    split_runs(cps, begin, end, out, is_default_number);
}

// The regexes of the table.
constexpr const char *kGpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
constexpr const char *kLlama3 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr const char *kLlama3Original =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
    "\\s+(?!\\S)|\\s+";
constexpr const char *kQwen2 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr const char *kQwen35 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| "
    "?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr const char *kJais2 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s{512}(?!\\S)|\\s{256}(?!\\S)|\\s{128}(?!\\S)|\\s{64}(?!\\S)|"
    "\\s{32}(?!\\S)|\\s{16}(?!\\S)|\\s{8}(?!\\S)|\\s{4}(?!\\S)|\\s{1,2}(?!\\S)|\\s{1}";
constexpr const char *kNumber = "\\p{N}";
constexpr const char *kNumbers = "\\p{N}+";
constexpr const char *kNumberTriples = "\\p{N}{1,3}";
constexpr const char *kDigitTriples = "[0-9][0-9][0-9]";
constexpr const char *kDefaultPunctuation = "[\\p{P}\\$\\+<=>\\^~\\|]+";
constexpr const char *kCjkKana = "[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+";
constexpr const char *kDeepSeekV3 =
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| "
    "?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+";
constexpr const char *kSpark25 =
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| "
    "?[\\p{P}\\p{S}]+|[\r\n]|\\s+(?!\\S)|\\s+";
constexpr const char *kYoutuCjk =
    "[\uAC00-\uD7A3\u3131-\u318E]+|[\uFF01\u2026\u201C\u201D\u2018\u2019\u2014\uFF1A\uFF1B\uFF0C"
    "\u3001-\u303F\uFE30-\uFE4F]+|[\u3105-\u312F]+|[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+";
// The word alternatives of the cased-words regexes (GPT-4o style, with (?i:...) contractions
// written out); kCasedWordsTail follows their number alternative.
constexpr const char *kCasedWords =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?:'[sS]|'[tT]|'[rR][eE]|"
    "'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}"
    "\\p{M}]*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?";
constexpr const char *kCasedWordsTail = "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr const char *kDeepSeekLlmLetters =
    "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF"
    "\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5"
    "\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA"
    "\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45"
    "\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-"
    "\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107"
    "\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F"
    "\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D"
    "\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17"
    "\uFF21-\uFF3A\uFF41-\uFF5A\U00010400-\U0001044F\U000104B0-\U000104D3\U000104D8-\U000104FB"
    "\U00010C80-\U00010CB2\U00010CC0-\U00010CF2\U000118A0-\U000118DF\U0001E900-\U0001E943]+";
constexpr const char *kDeepSeekLlmPunctuation = "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+";
constexpr const char *kCjkHangul = "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+";
constexpr const char *kNewline = "[\r\n]";
constexpr const char *kBloom = " ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+";
constexpr const char *kTekken =
    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+"
    "((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr const char *kGpt4o =
    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|"
    "'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|"
    "'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr const char *kGraniteEmbMulti =
    "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}\\p{M}])([^a-z]))*((?=[\\p{L}\\p{M}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|"
    "'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}\\p{M}])([^a-z]))+((?=[\\p{L}\\p{M}])([^A-Z]))*"
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr const char *kTinyAyaDigits = "\\d{1,3}(?=(?:\\d{3})*\\b)";
constexpr const char *kAfmoeDigits = "\\p{AFMoE_digits}";
constexpr const char *kHan = "\\p{Han}+";
constexpr const char *kSuperBpeDigits = "(?=(\\d{3})+(?!\\d))";
constexpr const char *kBailingMoe =
    "'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";
constexpr const char *kSeedCoder =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}| "
    "?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr const char *kUfakzeka =
    "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\"
    "s+";
constexpr const char *kAfmoeCjk =
    "[\u4E00-\u9FFF\u3400-\u4DBF\u8C48-\uFAFF\u3040-\u309F\u30A0-\u30FF\uFF65-\uFF9F\u2F00-\u2FDF"
    "\u0E40-\u0E7F\u0E80-\u0EFF\u1780-\u17FF\u1000-\u109F\uAA60-\uAA7F\uA9E0-\uA9FF\uAC00-\uD7AF"
    "\u1100-\u11FF]+";
constexpr const char *kAfmoe =
    "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| "
    "?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
constexpr const char *kNewlineRuns = "[^\\n]+|[\\n]+";
constexpr const char *kExaoneMoe =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?(?:\\p{L}\\p{M}*(?: "
    "\\p{L}\\p{M}*)*)+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]?|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+";
constexpr const char *kMiniCpm5 =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}+| "
    "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// Regexes split by hand-written code instead of the general matcher. `llama_cpp` marks the ones
// llama.cpp itself splits by hand (they may differ from what std::regex would do, and the
// hand-written code is what counts); the others are faster equivalents of the matcher, which the
// tests compare with it.
struct HandWritten {
    const char *regex;
    SplitFn split;
    bool llama_cpp;
};
const HandWritten kHandWritten[] = {
    {kGpt2, split_gpt2, true},
    {kLlama3, split_llama3, true},
    {kLlama3Original, split_llama3, true},
    {kQwen2, split_qwen2, true},
    {kQwen35, split_qwen35, true},
    {kHan, split_kimi_k2, true},
    {kAfmoeDigits, split_digit_groups_from_right, true},
    {kTinyAyaDigits, split_digit_groups_from_right, true},
    {kNewlineRuns, split_newline_runs, true},
    {kDefaultPunctuation, split_default_punctuation, false},
    {kNumbers, split_number_runs, false},
    {kDigitTriples, split_digit_triples, false},
    {kNumberTriples, split_number_triples, false},
    {kCjkKana, split_cjk_runs, false},
    {kDeepSeekV3, split_deepseek_v3, false},
};

const HandWritten *hand_written(std::string_view regex) {
    for (const HandWritten &h : kHandWritten) {
        if (regex == h.regex) return &h;
    }
    return nullptr;
}

constexpr uint32_t kIgnoreMerges = PreTokenizer::kIgnoreMerges, kAddBos = PreTokenizer::kAddBos,
                   kNoDefaultBos = PreTokenizer::kNoDefaultBos, kClean = PreTokenizer::kCleanSpaces;

struct Entry {
    std::vector<std::string> names;
    std::vector<std::string> regexes;
    uint32_t flags;
};

// Every tokenizer.ggml.pre name llama.cpp's llama-vocab.cpp maps for byte-level BPE, with its
// regexes and flags. clean_spaces is llama.cpp's default for BPE unless an entry turns it off.
// Not here (refused as unsupported): names llama.cpp tokenizes without the GPT-2 byte mapping
// (gemma4, granite-embed-multi-311m, sarvam-moe, whitespace) and the ones that append a
// separator token (jina-v1-en, jina-v2-code, roberta-bpe).
const std::vector<Entry> &table() {
    const std::string cased_words = std::string(kCasedWords) + "|\\p{N}" + kCasedWordsTail;
    const std::string cased_words_triples = std::string(kCasedWords) + "|\\p{N}{1,3}" + kCasedWordsTail;
    static const std::vector<Entry> entries = {
        {{"default"}, {kDefaultPunctuation, kGpt2, kNumbers, kDigitTriples}, kClean},
        {{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"},
         {kLlama3}, kIgnoreMerges | kAddBos | kClean},
        {{"minicpm5"}, {kNumberTriples, kMiniCpm5}, kIgnoreMerges | kClean},
        {{"deepseek-llm"},
         {kNewline, kDeepSeekLlmLetters, kDeepSeekLlmPunctuation, "\\s+$", kCjkHangul, kNumbers}, 0},
        {{"deepseek-coder"}, {kNewline, "\\s?\\p{L}+", "\\s?\\p{P}+", kCjkHangul, kNumber}, 0},
        {{"deepseek-v3", "hunyuan-dense", "hy_v4", "joyai-llm"}, {kNumberTriples, kCjkKana, kDeepSeekV3}, 0},
        {{"spark2_5"}, {kNumberTriples, kCjkKana, kSpark25, kNumber}, 0},
        {{"youtu"}, {kYoutuCjk, cased_words}, kIgnoreMerges},
        {{"falcon"}, {"[\\p{P}\\$\\+<=>\\^~\\|`]+", kGpt2, kDigitTriples}, kClean},
        {{"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
          "modern-bert", "mpt", "olmo", "jais", "exaone4"},
         {kGpt2}, kClean},
        {{"trillion", "granite-docling"}, {kGpt2}, 0},
        {{"starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"}, {kNumber, kGpt2}, kClean},
        {{"command-r", "smollm"}, {kNumber, kGpt2}, 0},
        {{"jais-2"}, {kJais2}, kClean},
        {{"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open"}, {kQwen2}, 0},
        {{"stablelm2", "megrez"}, {kQwen2}, kClean},
        {{"qwen35"}, {kQwen35}, 0},
        {{"dbrx", "smaug-bpe"}, {kLlama3}, kClean},
        {{"poro-chat"}, {kBloom}, 0},
        {{"bloom", "gpt3-finnish"}, {kBloom}, kClean},
        {{"glm4", "chatglm-bpe"}, {kLlama3}, kNoDefaultBos | kClean},
        {{"viking"}, {kBloom, kNumber}, 0},
        {{"tekken"}, {kTekken}, kIgnoreMerges | kAddBos},
        {{"exaone-moe"}, {kExaoneMoe}, kClean},
        {{"chameleon"},
         {"<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", "([\\t\\n]|    |  )", kNumber,
          "[\\p{P}!-/:-@\\[-`{-~]", kGpt2},
         kAddBos},
        {{"gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"}, {kGpt4o}, 0},
        {{"granite-embed-multi-97m"}, {kGraniteEmbMulti}, kIgnoreMerges},
        {{"tiny_aya", "cohere2moe"}, {kTinyAyaDigits, cased_words_triples}, 0},
        {{"superbpe"}, {kNumbers, kSuperBpeDigits}, 0},
        {{"bailingmoe", "bailingmoe2", "llada-moe"}, {kBailingMoe}, 0},
        {{"seed-coder"}, {kSeedCoder}, 0},
        {{"kimi-k2"}, {kHan}, 0},
        {{"ufakzeka"}, {kUfakzeka}, 0},
        {{"grok-2"}, {kQwen2}, 0},
        {{"afmoe"}, {kAfmoeDigits, kAfmoeCjk, kAfmoe}, 0},
        {{"laguna"}, {kNewlineRuns, kQwen2}, 0},
    };
    return entries;
}

const std::vector<PreTokenizer> &pre_tokenizers() {
    static const std::vector<PreTokenizer> all = [] {
        std::vector<PreTokenizer> v;
        for (const Entry &e : table()) v.emplace_back(e.names, e.regexes, e.flags);
        return v;
    }();
    return all;
}

}  // namespace

struct PreTokenizer::Step {
    SplitFn hand_written = nullptr;
    std::unique_ptr<PreRegex> regex;
};

PreTokenizer::PreTokenizer(std::vector<std::string> names, std::vector<std::string> regexes, uint32_t flags)
    : names_(std::move(names)), regexes_(std::move(regexes)), flags_(flags) {
    for (const std::string &r : regexes_) {
        Step step;
        if (const HandWritten *h = hand_written(r)) {
            step.hand_written = h->split;
        } else {
            step.regex = std::make_unique<PreRegex>(r);
        }
        steps_.push_back(std::move(step));
    }
}

PreTokenizer::~PreTokenizer() = default;
PreTokenizer::PreTokenizer(PreTokenizer &&) noexcept = default;

PreTokenizer::Splitting PreTokenizer::splitting_of(std::string_view regex) {
    const HandWritten *h = hand_written(regex);
    if (h == nullptr) return Splitting::Matcher;
    return h->llama_cpp ? Splitting::LlamaCppHandWritten : Splitting::EquivalentHandWritten;
}

void PreTokenizer::split_one(std::string_view regex, const std::vector<uint32_t> &cps, std::vector<size_t> &words) {
    PreTokenizer({"(one regex)"}, {std::string(regex)}, 0).split(cps, words);
}

const PreTokenizer &PreTokenizer::for_name(std::string_view name) {
    if (name.empty()) name = "default";  // llama.cpp warns and uses its default
    for (const PreTokenizer &p : pre_tokenizers()) {
        for (const std::string &n : p.names_) {
            if (name == n) return p;
        }
    }
    std::string known;
    for (const std::string &n : names()) known += (known.empty() ? "" : ", ") + n;
    fail(LM_ERR_UNSUPPORTED, "unsupported pre-tokenizer tokenizer.ggml.pre = '" + std::string(name) +
                                 "' (supported: " + known + ")");
}

std::vector<std::string> PreTokenizer::names() {
    std::vector<std::string> out;
    for (const PreTokenizer &p : pre_tokenizers()) out.insert(out.end(), p.names_.begin(), p.names_.end());
    return out;
}

void PreTokenizer::split(const std::vector<uint32_t> &cps, std::vector<size_t> &words) const {
    if (cps.empty()) return;
    const PreRegexText text(cps);
    std::vector<size_t> pieces{cps.size()}, next;
    for (const Step &step : steps_) {
        next.clear();
        next.reserve(pieces.size() * 2);
        if (step.hand_written != nullptr) {
            size_t start = 0;
            for (size_t len : pieces) {
                step.hand_written(cps, start, start + len, next);
                start += len;
            }
        } else {
            step.regex->split(text, pieces, next);
        }
        pieces.swap(next);
    }
    words.insert(words.end(), pieces.begin(), pieces.end());
}

void pre_regex_split(std::string_view regex, const std::vector<uint32_t> &cps, std::vector<size_t> &words) {
    if (cps.empty()) return;
    const PreRegex compiled(regex);
    compiled.split(PreRegexText(cps), {cps.size()}, words);
}

}  // namespace lamina
