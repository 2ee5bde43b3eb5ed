#include "tokenizer/pre_tokenizer.h"

#include <string>

#include "common/error.h"
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

// Applies `split` to every piece in `pieces`.
template <typename Split>
std::vector<size_t> apply(const std::vector<uint32_t> &cps, const std::vector<size_t> &pieces, Split split) {
    std::vector<size_t> out;
    out.reserve(pieces.size() * 2);
    size_t start = 0;
    for (size_t len : pieces) {
        split(cps, start, start + len, out);
        start += len;
    }
    return out;
}

}  // namespace

PreTokenizerSpec pre_tokenizer_for_name(std::string_view name) {
    // Names as llama.cpp's llama-vocab.cpp maps them; only those whose tokenization is fully
    // described by these regexes are accepted.
    static const char *const kLlama3[] = {"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1",
                                          "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"};
    static const char *const kGpt2[] = {"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es",
                                        "jina-v2-de", "a.x-4.0", "mellum", "modern-bert", "mpt", "olmo",
                                        "exaone4"};
    for (const char *n : kLlama3) {
        if (name == n) return {PreTokenizer::Llama3, true, true};
    }
    for (const char *n : kGpt2) {
        if (name == n) return {PreTokenizer::Gpt2, false, false};
    }
    static const char *const kQwen2[] = {"qwen2", "deepseek-r1-qwen", "megrez"};
    for (const char *n : kQwen2) {
        if (name == n) return {PreTokenizer::Qwen2, false, false};
    }
    if (name == "deepseek-v3") return {PreTokenizer::DeepSeekV3, false, false};
    if (name.empty() || name == "default") return {PreTokenizer::Default, false, false};
    std::string known = "default";
    for (const char *n : kLlama3) known += std::string(", ") + n;
    for (const char *n : kGpt2) known += std::string(", ") + n;
    for (const char *n : kQwen2) known += std::string(", ") + n;
    known += ", deepseek-v3";
    fail(LM_ERR_UNSUPPORTED, "unsupported pre-tokenizer tokenizer.ggml.pre = '" + std::string(name) +
                                 "' (supported: " + known + ")");
}

void pre_tokenize(PreTokenizer kind, const std::vector<uint32_t> &cps, std::vector<size_t> &words) {
    if (cps.empty()) return;
    const std::vector<size_t> whole{cps.size()};
    std::vector<size_t> pieces;
    switch (kind) {
        case PreTokenizer::Llama3:
            pieces = apply(cps, whole, split_llama3);
            break;
        case PreTokenizer::Gpt2:
            pieces = apply(cps, whole, split_gpt2);
            break;
        case PreTokenizer::Qwen2:
            pieces = apply(cps, whole, split_qwen2);
            break;
        case PreTokenizer::DeepSeekV3:
            pieces = apply(cps, whole, split_number_triples);
            pieces = apply(cps, pieces, split_cjk_runs);
            pieces = apply(cps, pieces, split_deepseek_v3);
            break;
        case PreTokenizer::Default: {
            auto punct = [](const std::vector<uint32_t> &c, size_t b, size_t e, std::vector<size_t> &o) {
                split_runs(c, b, e, o, is_default_punctuation);
            };
            auto numbers = [](const std::vector<uint32_t> &c, size_t b, size_t e, std::vector<size_t> &o) {
                split_runs(c, b, e, o, is_default_number);
            };
            pieces = apply(cps, whole, punct);
            pieces = apply(cps, pieces, split_gpt2);
            pieces = apply(cps, pieces, numbers);
            pieces = apply(cps, pieces, split_digit_triples);
            break;
        }
    }
    words.insert(words.end(), pieces.begin(), pieces.end());
}

}  // namespace lamina
