#include "tokenizer/pre_regex.h"

#include <algorithm>
#include <array>
#include <deque>
#include <limits>

#include "common/error.h"
#include "tokenizer/unicode_class.h"
#include "tokenizer/utf8.h"

namespace lamina {

namespace {

constexpr uint32_t kUnbounded = std::numeric_limits<uint32_t>::max();

// The byte a code point above ASCII collapses to, by category (llama.cpp's k_ucat_cpt).
constexpr uint32_t kCollapsedOther = 0xD0, kCollapsedNumber = 0xD1, kCollapsedLetter = 0xD2,
                   kCollapsedPunctuation = 0xD3, kCollapsedMark = 0xD4, kCollapsedSymbol = 0xD5;
constexpr uint32_t kCollapsedSpace = 0x0B;  // vertical tab: whitespace to \s

struct Category {
    const char *name;        // as written in a regex
    char collapsed;          // the byte its code points above ASCII collapse to
    const char *ascii;       // its ASCII members, as bracket-class text
};

// The categories llama.cpp collapses, with the ASCII members it gives them (k_ucat_map).
const Category kCategories[] = {
    {"\\p{N}", char(kCollapsedNumber), "0-9"},
    {"\\p{L}", char(kCollapsedLetter), "A-Za-z"},
    {"\\p{P}", char(kCollapsedPunctuation), "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}"},
    {"\\p{M}", char(kCollapsedMark), ""},
    {"\\p{S}", char(kCollapsedSymbol), "\\$\\+<->^`\\|\\~"},
    {"\\p{Lu}", char(kCollapsedLetter), "A-Za-z"},
    {"\\p{Ll}", char(kCollapsedLetter), "A-Za-z"},
    {"\\p{Lt}", char(kCollapsedLetter), "A-Za-z"},
    {"\\p{Lm}", char(kCollapsedLetter), "A-Za-z"},
    {"\\p{Lo}", char(kCollapsedLetter), "A-Za-z"},
};

const Category *category_named(std::string_view name) {
    for (const Category &c : kCategories) {
        if (name == c.name) return &c;
    }
    return nullptr;
}

bool names_a_category(std::string_view pattern) {
    for (const Category &c : kCategories) {
        if (pattern.find(c.name) != std::string_view::npos) return true;
    }
    return false;
}

// llama.cpp's rewriting of a regex for the collapsed text: \p{X} becomes X's collapsed byte and
// ASCII members, in brackets unless already inside a bracket class.
std::string collapse_pattern(std::string_view r) {
    std::string out;
    bool inside = false;
    for (size_t i = 0; i < r.size(); ++i) {
        if (r[i] == '[' && (i == 0 || r[i - 1] != '\\')) {
            out += '[';
            inside = true;
            continue;
        }
        if (inside && r[i] == ']' && r[i - 1] != '\\') {
            out += ']';
            inside = false;
            continue;
        }
        if (r[i] == '\\' && i + 3 < r.size() && r[i + 1] == 'p' && r[i + 2] == '{') {
            const size_t close = r.find('}', i + 3);
            if (close != std::string_view::npos && close <= i + 10) {
                if (const Category *c = category_named(r.substr(i, close - i + 1))) {
                    if (!inside) out += '[';
                    out += c->collapsed;
                    out += c->ascii;
                    if (!inside) out += ']';
                    i = close;
                    continue;
                }
            }
        }
        out += r[i];
    }
    return out;
}

// \s as std::regex has it in the C locale: the six ASCII spaces (0x0B included, which is what
// other whitespace becomes).
bool regex_space(uint32_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool regex_digit(uint32_t c) { return c >= '0' && c <= '9'; }
bool regex_word(uint32_t c) {
    return regex_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

enum EscapeClass : uint8_t {
    kSpace = 1, kNotSpace = 2, kDigit = 4, kNotDigit = 8, kWord = 16, kNotWord = 32,
};

bool in_escape_classes(uint8_t escapes, uint32_t c) {
    return ((escapes & kSpace) && regex_space(c)) || ((escapes & kNotSpace) && !regex_space(c)) ||
           ((escapes & kDigit) && regex_digit(c)) || ((escapes & kNotDigit) && !regex_digit(c)) ||
           ((escapes & kWord) && regex_word(c)) || ((escapes & kNotWord) && !regex_word(c));
}

// A set of characters: a bracket class, a class escape or one literal.
struct CharSet {
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    uint8_t escapes = 0;
    bool negate = false;
    std::array<uint64_t, 4> low{};  // membership of 0..255, precomputed

    bool raw_contains(uint32_t c) const {
        bool in = in_escape_classes(escapes, c);
        for (size_t i = 0; !in && i < ranges.size(); ++i) in = c >= ranges[i].first && c <= ranges[i].second;
        return in != negate;
    }
    void finish() {
        for (uint32_t c = 0; c < 256; ++c) {
            if (raw_contains(c)) low[c >> 6] |= uint64_t(1) << (c & 63);
        }
    }
    bool contains(uint32_t c) const {
        return c < 256 ? ((low[c >> 6] >> (c & 63)) & 1) != 0 : raw_contains(c);
    }
};

struct Node {
    enum Kind { Set, Seq, Alt, Repeat, Look, End };
    explicit Node(Kind k) : kind(k) {}
    Kind kind;
    int set = -1;             // Set
    std::vector<Node> kids;   // Seq, Alt; Repeat and Look: the one operand
    uint32_t min = 1, max = 1;  // Repeat
    bool negate = false;      // Look: (?!...)
};

class Parser {
public:
    Parser(std::vector<uint32_t> units, std::string_view pattern, std::vector<CharSet> &sets)
        : p_(std::move(units)), pattern_(pattern), sets_(sets) {}

    Node parse() {
        Node n = alternation();
        if (i_ != p_.size()) error("unbalanced ')'");
        return n;
    }

private:
    [[noreturn]] void error(const std::string &what) const {
        fail(LM_ERR_INTERNAL, "pre-tokenizer regex '" + std::string(pattern_) + "': " + what + " (at character " +
                                  std::to_string(i_) + ")");
    }
    bool more() const { return i_ < p_.size(); }
    uint32_t peek(size_t k = 0) const { return i_ + k < p_.size() ? p_[i_ + k] : 0xFFFFFFFFu; }

    int add_set(CharSet s) {
        s.finish();
        sets_.push_back(std::move(s));
        return int(sets_.size() - 1);
    }
    Node set_node(CharSet s) {
        Node n(Node::Set);
        n.set = add_set(std::move(s));
        return n;
    }
    static CharSet literal(uint32_t c) {
        CharSet s;
        s.ranges.push_back({c, c});
        return s;
    }

    Node alternation() {
        Node first = sequence();
        if (peek() != '|') return first;
        Node alt(Node::Alt);
        alt.kids.push_back(std::move(first));
        while (peek() == '|') {
            ++i_;
            alt.kids.push_back(sequence());
        }
        return alt;
    }

    Node sequence() {
        Node seq(Node::Seq);
        while (more() && peek() != '|' && peek() != ')') {
            Node atom_node = atom();
            seq.kids.push_back(quantified(std::move(atom_node)));
        }
        return seq;
    }

    uint32_t number() {
        if (!regex_digit(peek())) error("a number expected in {}");
        uint64_t v = 0;
        while (regex_digit(peek())) {
            v = v * 10 + (p_[i_++] - '0');
            if (v > 100000) error("repetition count too large");
        }
        return uint32_t(v);
    }

    Node quantified(Node atom_node) {
        uint32_t min, max;
        const uint32_t c = peek();
        if (c == '*') {
            min = 0, max = kUnbounded, ++i_;
        } else if (c == '+') {
            min = 1, max = kUnbounded, ++i_;
        } else if (c == '?') {
            min = 0, max = 1, ++i_;
        } else if (c == '{') {
            ++i_;
            min = max = number();
            if (peek() == ',') {
                ++i_;
                max = peek() == '}' ? kUnbounded : number();
            }
            if (peek() != '}') error("'}' expected");
            ++i_;
            if (max < min) error("repetition {n,m} with m < n");
        } else {
            return atom_node;
        }
        if (peek() == '?') error("lazy quantifiers are not supported");
        if (peek() == '*' || peek() == '+' || peek() == '{') error("nested quantifier");
        if (atom_node.kind == Node::Look || atom_node.kind == Node::End) error("quantified assertion");
        Node rep(Node::Repeat);
        rep.min = min;
        rep.max = max;
        rep.kids.push_back(std::move(atom_node));
        return rep;
    }

    // An escape outside or inside brackets: a class escape sets `escapes`, else returns the literal.
    bool escape(uint32_t &literal_out, uint8_t &escapes) {
        if (!more()) error("trailing '\\'");
        const uint32_t c = p_[i_++];
        switch (c) {
            case 's': escapes = kSpace; return false;
            case 'S': escapes = kNotSpace; return false;
            case 'd': escapes = kDigit; return false;
            case 'D': escapes = kNotDigit; return false;
            case 'w': escapes = kWord; return false;
            case 'W': escapes = kNotWord; return false;
            case 'r': literal_out = '\r'; return true;
            case 'n': literal_out = '\n'; return true;
            case 't': literal_out = '\t'; return true;
            case 'f': literal_out = '\f'; return true;
            case 'v': literal_out = '\v'; return true;
            case 'x': {
                uint32_t v = 0;
                for (int k = 0; k < 2; ++k) {
                    const uint32_t h = peek();
                    const int d = regex_digit(h) ? int(h - '0') : (h >= 'a' && h <= 'f') ? int(h - 'a' + 10)
                                                         : (h >= 'A' && h <= 'F') ? int(h - 'A' + 10) : -1;
                    if (d < 0) error("\\x needs two hex digits");
                    v = v * 16 + uint32_t(d);
                    ++i_;
                }
                literal_out = v;
                return true;
            }
            default:
                if (c < 128 && (regex_word(c))) {
                    --i_;
                    error(std::string("unsupported escape '\\") + char(c) + "'");
                }
                literal_out = c;  // an escaped punctuation character (or a collapsed byte) stands for itself
                return true;
        }
    }

    Node bracket() {
        CharSet s;
        if (peek() == '^') {
            s.negate = true;
            ++i_;
        }
        bool first = true;
        while (true) {
            if (!more()) error("unterminated '['");
            if (peek() == ']' && !first) break;
            if (peek() == ']') error("empty bracket class");
            first = false;
            uint32_t lo;
            if (peek() == '\\') {
                ++i_;
                uint8_t esc = 0;
                if (!escape(lo, esc)) {
                    s.escapes |= esc;
                    if (peek() == '-' && peek(1) != ']') error("class escape as a range bound");
                    continue;
                }
            } else {
                if (peek() == '[') error("'[' inside a bracket class");
                lo = p_[i_++];
            }
            uint32_t hi = lo;
            if (peek() == '-' && peek(1) != ']' && i_ + 1 < p_.size()) {
                ++i_;
                if (peek() == '\\') {
                    ++i_;
                    uint8_t esc = 0;
                    if (!escape(hi, esc)) error("class escape as a range bound");
                } else {
                    hi = p_[i_++];
                }
                if (hi < lo) error("range out of order");
            }
            s.ranges.push_back({lo, hi});
        }
        ++i_;  // ']'
        return set_node(std::move(s));
    }

    Node atom() {
        const uint32_t c = p_[i_];
        if (c == '(') {
            ++i_;
            Node n(Node::Seq);
            if (peek() == '?') {
                if (peek(1) == ':') {
                    i_ += 2;
                    n = alternation();
                } else if (peek(1) == '=' || peek(1) == '!') {
                    Node look(Node::Look);
                    look.negate = peek(1) == '!';
                    i_ += 2;
                    look.kids.push_back(alternation());
                    n = std::move(look);
                } else {
                    error("unsupported group '(?'");
                }
            } else {
                n = alternation();  // capturing: captures are not used
            }
            if (peek() != ')') error("')' expected");
            ++i_;
            return n;
        }
        if (c == '[') {
            ++i_;
            return bracket();
        }
        if (c == '\\') {
            ++i_;
            uint32_t lit = 0;
            uint8_t esc = 0;
            if (escape(lit, esc)) return set_node(literal(lit));
            CharSet s;
            s.escapes = esc;
            return set_node(std::move(s));
        }
        if (c == '$') {
            ++i_;
            return Node(Node::End);
        }
        if (c == '^' || c == '.' || c == '*' || c == '+' || c == '?' || c == '{' || c == '}' || c == ']') {
            error(std::string("unsupported or misplaced '") + char(c) + "'");
        }
        ++i_;
        return set_node(literal(c));
    }

    std::vector<uint32_t> p_;
    size_t i_ = 0;
    std::string_view pattern_;
    std::vector<CharSet> &sets_;
};

// The fewest characters a node can match.
uint64_t min_width(const Node &n) {
    switch (n.kind) {
        case Node::Set: return 1;
        case Node::Seq: {
            uint64_t w = 0;
            for (const Node &k : n.kids) w += min_width(k);
            return w;
        }
        case Node::Alt: {
            uint64_t w = UINT64_MAX;
            for (const Node &k : n.kids) w = std::min(w, min_width(k));
            return w;
        }
        case Node::Repeat: return n.min * min_width(n.kids[0]);
        case Node::Look:
        case Node::End: return 0;
    }
    return 0;
}

// Whether a node always matches exactly one character (lookaheads aside): then repeating it
// needs no backtracking state per repetition.
bool single_width(const Node &n) {
    switch (n.kind) {
        case Node::Set: return true;
        case Node::Seq: {
            int singles = 0;
            for (const Node &k : n.kids) {
                if (k.kind == Node::Look) continue;
                if (!single_width(k)) return false;
                ++singles;
            }
            return singles == 1;
        }
        case Node::Alt:
            for (const Node &k : n.kids) {
                if (!single_width(k)) return false;
            }
            return !n.kids.empty();
        case Node::Repeat: return n.min == 1 && n.max == 1 && single_width(n.kids[0]);
        case Node::Look:
        case Node::End: return false;
    }
    return false;
}

enum class Op : uint8_t {
    Set,    // a = set; matches min..max characters of it, greedily
    Unit,   // a = program matching exactly one character; min..max of those, greedily
    Split,  // try a, on failure b
    Jmp,    // a
    Look,   // a = program; b = 1 for a negative lookahead
    End,    // end of the piece
    Match,
};

struct Inst {
    Inst(Op o, int a_ = 0, int b_ = 0, uint32_t min_ = 1, uint32_t max_ = 1) : op(o), a(a_), b(b_), min(min_), max(max_) {}
    Op op;
    int a, b;
    uint32_t min, max;
};

}  // namespace

struct PreRegex::Program {
    std::vector<CharSet> sets;
    std::vector<std::vector<Inst>> progs;  // progs[0] is the whole regex

    struct Frame {
        int pc;
        uint32_t count;  // for a Set/Unit backtrack: repetitions to take now; else kNoCount
        size_t pos;
    };
    static constexpr uint32_t kNoCount = kUnbounded;

    struct Scratch {
        std::deque<std::vector<Frame>> stacks;  // one per nesting depth; a deque keeps references valid
        size_t depth = 0;
    };

    int compile_program(const Node &n, const std::string &pattern) {
        progs.emplace_back();
        const int index = int(progs.size() - 1);
        std::vector<Inst> code;
        compile(n, code, pattern);
        code.emplace_back(Op::Match);
        progs[size_t(index)] = std::move(code);
        return index;
    }

    void compile(const Node &n, std::vector<Inst> &code, const std::string &pattern) {
        switch (n.kind) {
            case Node::Set:
                code.push_back({Op::Set, n.set, 0, 1, 1});
                return;
            case Node::Seq:
                for (const Node &k : n.kids) compile(k, code, pattern);
                return;
            case Node::Alt: {
                std::vector<size_t> jumps;
                for (size_t i = 0; i < n.kids.size(); ++i) {
                    if (i + 1 < n.kids.size()) {
                        const size_t split = code.size();
                        code.push_back({Op::Split, int(split + 1), 0});
                        compile(n.kids[i], code, pattern);
                        jumps.push_back(code.size());
                        code.emplace_back(Op::Jmp);
                        code[split].b = int(code.size());
                    } else {
                        compile(n.kids[i], code, pattern);
                    }
                }
                for (size_t j : jumps) code[j].a = int(code.size());
                return;
            }
            case Node::End:
                code.emplace_back(Op::End);
                return;
            case Node::Look: {
                const int p = compile_program(n.kids[0], pattern);
                code.push_back({Op::Look, p, n.negate ? 1 : 0});
                return;
            }
            case Node::Repeat: {
                const Node &body = n.kids[0];
                if (single_width(body)) {
                    if (body.kind == Node::Set) {
                        code.push_back({Op::Set, body.set, 0, n.min, n.max});
                    } else {
                        const int p = compile_program(body, pattern);
                        code.push_back({Op::Unit, p, 0, n.min, n.max});
                    }
                    return;
                }
                if (n.max > 1 && min_width(body) == 0) {
                    fail(LM_ERR_INTERNAL, "pre-tokenizer regex '" + pattern +
                                              "': a repeated group that can match nothing is not supported");
                }
                if (uint64_t(n.min) * 64 > 100000 || (n.max != kUnbounded && n.max > 64)) {
                    fail(LM_ERR_INTERNAL, "pre-tokenizer regex '" + pattern + "': repetition count of a group too large");
                }
                for (uint32_t i = 0; i < n.min; ++i) compile(body, code, pattern);
                if (n.max == kUnbounded) {
                    const size_t loop = code.size();
                    code.push_back({Op::Split, int(loop + 1), 0});
                    compile(body, code, pattern);
                    code.push_back({Op::Jmp, int(loop)});
                    code[loop].b = int(code.size());
                } else {
                    std::vector<size_t> splits;
                    for (uint32_t i = n.min; i < n.max; ++i) {
                        splits.push_back(code.size());
                        code.push_back({Op::Split, int(code.size() + 1), 0});
                        compile(body, code, pattern);
                    }
                    for (size_t s : splits) code[s].b = int(code.size());
                }
                return;
            }
        }
    }

    // How many (up to max) characters from `pos` the Set/Unit instruction matches in a row.
    uint32_t count_run(const Inst &in, const uint32_t *sym, size_t end, size_t pos, Scratch &scratch) const {
        uint32_t n = 0;
        if (in.op == Op::Set) {
            const CharSet &s = sets[size_t(in.a)];
            while (n < in.max && pos + n < end && s.contains(sym[pos + n])) ++n;
        } else {
            size_t match_end;
            while (n < in.max && pos + n < end && run(in.a, sym, end, pos + n, false, match_end, scratch)) ++n;
        }
        return n;
    }

    // Whether program `prog` matches at `start` (ECMAScript order: the first path that reaches
    // Match wins); its end in `match_end`. With not_null an empty match does not count.
    bool run(int prog, const uint32_t *sym, size_t end, size_t start, bool not_null, size_t &match_end,
             Scratch &scratch) const {
        if (scratch.stacks.size() <= scratch.depth) scratch.stacks.resize(scratch.depth + 1);
        std::vector<Frame> &stack = scratch.stacks[scratch.depth];
        const size_t base = stack.size();
        ++scratch.depth;
        struct DepthGuard {
            Scratch &s;
            std::vector<Frame> &st;
            size_t base;
            ~DepthGuard() {
                st.resize(base);
                --s.depth;
            }
        } guard{scratch, stack, base};

        const std::vector<Inst> &code = progs[size_t(prog)];
        stack.push_back({0, kNoCount, start});
        while (stack.size() > base) {
            Frame f = stack.back();
            stack.pop_back();
            int pc = f.pc;
            size_t pos = f.pos;
            if (f.count != kNoCount) {  // retry a greedy repetition with one fewer
                const Inst &in = code[size_t(pc)];
                if (f.count > in.min) stack.push_back({pc, f.count - 1, f.pos});
                pos = f.pos + f.count;
                ++pc;
            }
            bool failed = false;
            while (!failed) {
                const Inst &in = code[size_t(pc)];
                switch (in.op) {
                    case Op::Set:
                    case Op::Unit: {
                        const uint32_t n = count_run(in, sym, end, pos, scratch);
                        if (n < in.min) {
                            failed = true;
                            break;
                        }
                        if (n > in.min) stack.push_back({pc, n - 1, pos});
                        pos += n;
                        ++pc;
                        break;
                    }
                    case Op::Split:
                        stack.push_back({in.b, kNoCount, pos});
                        pc = in.a;
                        break;
                    case Op::Jmp:
                        pc = in.a;
                        break;
                    case Op::Look: {
                        size_t ignored;
                        const bool matched = run(in.a, sym, end, pos, false, ignored, scratch);
                        if (matched == (in.b != 0)) failed = true;
                        else ++pc;
                        break;
                    }
                    case Op::End:
                        if (pos == end) ++pc;
                        else failed = true;
                        break;
                    case Op::Match:
                        if (not_null && pos == start) {
                            failed = true;
                            break;
                        }
                        match_end = pos;
                        return true;
                }
            }
        }
        return false;
    }
};

const std::vector<uint32_t> &PreRegexText::collapsed() const {
    if (!have_collapsed_) {
        collapsed_.resize(cps_.size());
        for (size_t i = 0; i < cps_.size(); ++i) {
            const uint32_t c = cps_[i];
            if (c < 128) {
                collapsed_[i] = c;
                continue;
            }
            const CodepointInfo info = codepoint_info(c);
            if (info.is_whitespace()) {
                collapsed_[i] = kCollapsedSpace;
                continue;
            }
            switch (info.cls()) {
                case UnicodeClass::Number: collapsed_[i] = kCollapsedNumber; break;
                case UnicodeClass::Letter: collapsed_[i] = kCollapsedLetter; break;
                case UnicodeClass::Punctuation: collapsed_[i] = kCollapsedPunctuation; break;
                case UnicodeClass::Mark: collapsed_[i] = kCollapsedMark; break;
                case UnicodeClass::Symbol: collapsed_[i] = kCollapsedSymbol; break;
                default: collapsed_[i] = kCollapsedOther; break;
            }
        }
        have_collapsed_ = true;
    }
    return collapsed_;
}

const std::vector<uint32_t> &PreRegexText::wide() const {
    if (!have_wide_) {
        wide_ = cps_;
        for (uint32_t &c : wide_) {
            if (c > 0x7F && codepoint_info(c).is_whitespace()) c = kCollapsedSpace;
        }
        have_wide_ = true;
    }
    return wide_;
}

PreRegex::PreRegex(std::string_view pattern) : pattern_(pattern), program_(std::make_unique<Program>()) {
    collapsed_ = names_a_category(pattern);
    std::vector<uint32_t> units;
    if (collapsed_) {
        for (unsigned char c : pattern) {
            if (c >= 0x80) {
                fail(LM_ERR_INTERNAL, "pre-tokenizer regex '" + pattern_ +
                                          "' mixes Unicode categories and non-ASCII characters");
            }
        }
        for (unsigned char c : collapse_pattern(pattern)) units.push_back(c);
    } else {
        validate_utf8(pattern);
        decode_utf8(pattern, units);
    }
    const Node root = Parser(std::move(units), pattern_, program_->sets).parse();
    program_->compile_program(root, pattern_);
}

PreRegex::~PreRegex() = default;
PreRegex::PreRegex(PreRegex &&) noexcept = default;
PreRegex &PreRegex::operator=(PreRegex &&) noexcept = default;

void PreRegex::split(const PreRegexText &text, const std::vector<size_t> &pieces, std::vector<size_t> &out) const {
    const std::vector<uint32_t> &symbols = collapsed_ ? text.collapsed() : text.wide();
    Program::Scratch scratch;
    size_t piece_begin = 0;
    for (size_t len : pieces) {
        const size_t end = piece_begin + len;
        // As std::regex_iterator walks a piece: search from the end of the previous match; after
        // an empty match first look for a non-empty one at the same place, then search on from
        // the next character.
        size_t last = piece_begin;  // end of the previous match
        size_t from = piece_begin;
        bool after_empty = false;
        while (true) {
            size_t m_begin = 0, m_end = 0;
            bool found = false;
            if (after_empty) {
                if (from == end) break;
                found = program_->run(0, symbols.data(), end, from, true, m_end, scratch);
                if (found) m_begin = from;
                else ++from;
            }
            for (size_t s = from; !found && s <= end; ++s) {
                if (program_->run(0, symbols.data(), end, s, false, m_end, scratch)) {
                    found = true;
                    m_begin = s;
                }
            }
            if (!found) break;
            if (m_begin > last) out.push_back(m_begin - last);
            out.push_back(m_end - m_begin);
            last = m_end;
            from = m_end;
            after_empty = m_end == m_begin;
        }
        if (end > last) out.push_back(end - last);
        piece_begin = end;
    }
}

}  // namespace lamina
