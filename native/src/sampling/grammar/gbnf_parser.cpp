#include "sampling/grammar/gbnf_parser.h"

#include <functional>
#include <map>

#include "common/error.h"
#include "common/text_position.h"

namespace lamina::grammar {
namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool end_of_sequence(const Element &e) { return e.type == ElementType::End || e.type == ElementType::Alt; }

class GbnfParser {
public:
    GbnfParser(std::string_view text, const std::string &root) : s_(text), root_(root) {}

    Grammar parse() {
        skip_space(true);
        if (i_ >= s_.size()) error_at(i_, "the grammar is empty: expected a rule 'name ::= ...'");
        while (i_ < s_.size()) {
            rule();
            skip_space(true);
        }
        for (uint32_t id = 0; id < rules_.size(); ++id) {
            if (rules_[id].empty()) error_at(first_use_[id], "undefined rule '" + names_[id] + "'");
        }
        auto root = ids_.find(root_);
        if (root == ids_.end()) {
            fail(LM_ERR_INVALID_ARGUMENT, "grammar: no rule named '" + root_ + "' (the start rule)");
        }
        check_left_recursion();
        Grammar g;
        g.rules = std::move(rules_);
        g.names = std::move(names_);
        g.root = root->second;
        return g;
    }

private:
    std::string_view s_;
    std::string root_;
    size_t i_ = 0;
    std::map<std::string, uint32_t, std::less<>> ids_;
    std::vector<std::vector<Element>> rules_;
    std::vector<std::string> names_;
    std::vector<size_t> first_use_;
    std::vector<size_t> defined_at_;
    std::vector<std::string> owner_;  // the rule a generated rule was made for (itself otherwise)

    [[noreturn]] void error_at(size_t at, const std::string &why) const {
        fail(LM_ERR_INVALID_ARGUMENT, "grammar: " + line_column(s_, at) + ": " + why);
    }

    std::string found() const {
        if (i_ >= s_.size()) return "the end of the grammar";
        if (s_[i_] == '\n' || s_[i_] == '\r') return "the end of the line";
        return "'" + std::string(s_.substr(i_, 1)) + "'";
    }

    uint32_t symbol(const std::string &name, size_t at) {
        auto it = ids_.find(name);
        if (it != ids_.end()) return it->second;
        const auto id = static_cast<uint32_t>(rules_.size());
        ids_.emplace(name, id);
        rules_.emplace_back();
        names_.push_back(name);
        first_use_.push_back(at);
        defined_at_.push_back(std::string::npos);
        owner_.push_back(name);
        return id;
    }

    uint32_t generated_symbol(const std::string &base) {
        std::string name;
        for (size_t n = rules_.size();; ++n) {
            name = base + "_" + std::to_string(n);
            if (ids_.find(name) == ids_.end()) break;
        }
        const uint32_t id = symbol(name, i_);
        defined_at_[id] = i_;
        owner_[id] = base;
        return id;
    }

    void skip_space(bool newlines) {
        while (i_ < s_.size()) {
            const char c = s_[i_];
            if (c == ' ' || c == '\t' || ((c == '\n' || c == '\r') && newlines)) {
                ++i_;
            } else if (c == '#') {
                while (i_ < s_.size() && s_[i_] != '\n' && s_[i_] != '\r') ++i_;
            } else {
                break;
            }
        }
    }

    std::string name() {
        const size_t start = i_;
        while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
        return std::string(s_.substr(start, i_ - start));
    }

    void rule() {
        const size_t start = i_;
        const std::string n = name();
        if (n.empty()) error_at(start, "expected a rule name, found " + found());
        skip_space(false);
        if (s_.substr(i_, 3) != "::=") error_at(i_, "expected '::=' after the rule name '" + n + "', found " + found());
        i_ += 3;
        skip_space(true);
        const uint32_t id = symbol(n, start);
        if (defined_at_[id] != std::string::npos) error_at(start, "rule '" + n + "' is defined twice");
        defined_at_[id] = start;
        alternatives(n, id, false);
        skip_space(false);
        if (i_ < s_.size()) {
            if (s_[i_] == '\r' || s_[i_] == '\n') {
                ++i_;
            } else {
                error_at(i_, "expected the end of rule '" + n + "' (a new line), found " + found());
            }
        }
    }

    void alternatives(const std::string &rule_name, uint32_t id, bool nested) {
        std::vector<Element> out;
        sequence(out, rule_name, nested);
        while (i_ < s_.size() && s_[i_] == '|') {
            out.push_back({ElementType::Alt, 0});
            ++i_;
            skip_space(true);
            sequence(out, rule_name, nested);
        }
        out.push_back({ElementType::End, 0});
        rules_[id] = std::move(out);
    }

    // One code point of UTF-8 text at i_ (invalid UTF-8 is an error).
    uint32_t utf8_char() {
        const auto b0 = static_cast<unsigned char>(s_[i_]);
        int n = b0 < 0x80 ? 0 : (b0 >> 5) == 6 ? 1 : (b0 >> 4) == 14 ? 2 : (b0 >> 3) == 30 ? 3 : -1;
        if (n < 0) error_at(i_, "invalid UTF-8");
        uint32_t cp = n == 0 ? b0 : n == 1 ? b0 & 0x1F : n == 2 ? b0 & 0x0F : b0 & 0x07;
        const size_t start = i_++;
        for (; n > 0; --n, ++i_) {
            if (i_ >= s_.size() || (static_cast<unsigned char>(s_[i_]) & 0xC0) != 0x80) error_at(start, "invalid UTF-8");
            cp = (cp << 6) | (static_cast<unsigned char>(s_[i_]) & 0x3F);
        }
        return cp;
    }

    uint32_t hex(int digits) {
        uint32_t v = 0;
        const size_t start = i_;
        for (int k = 0; k < digits; ++k, ++i_) {
            const char h = i_ < s_.size() ? s_[i_] : '\0';
            v <<= 4;
            if (h >= '0' && h <= '9') v |= h - '0';
            else if (h >= 'a' && h <= 'f') v |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F') v |= h - 'A' + 10;
            else error_at(start, "expected " + std::to_string(digits) + " hex digits in an escape");
        }
        return v;
    }

    // A character of a literal or class, escapes decoded.
    uint32_t character() {
        if (i_ >= s_.size()) error_at(i_, "unexpected end of the grammar");
        if (s_[i_] != '\\') return utf8_char();
        const size_t start = i_++;
        if (i_ >= s_.size()) error_at(start, "unexpected end of the grammar after '\\'");
        const char e = s_[i_++];
        switch (e) {
            case 'x': return hex(2);
            case 'u': return hex(4);
            case 'U': return hex(8);
            case 't': return '\t';
            case 'r': return '\r';
            case 'n': return '\n';
            case '\\': case '"': case '[': case ']': case '-': case '^': case '/': return static_cast<uint8_t>(e);
            default: error_at(start, std::string("unknown escape '\\") + e + "'");
        }
    }

    void sequence(std::vector<Element> &out, const std::string &rule_name, bool nested) {
        size_t last_sym_start = out.size();
        while (i_ < s_.size()) {
            const char c = s_[i_];
            const size_t at = i_;
            if (c == '"') {
                ++i_;
                last_sym_start = out.size();
                while (i_ < s_.size() && s_[i_] != '"') {
                    if (s_[i_] == '\n' || s_[i_] == '\r') break;
                    out.push_back({ElementType::Char, character()});
                }
                if (i_ >= s_.size() || s_[i_] != '"') error_at(at, "a string literal is not closed on its line");
                ++i_;
            } else if (c == '[') {
                ++i_;
                ElementType first = ElementType::Char;
                if (i_ < s_.size() && s_[i_] == '^') {
                    ++i_;
                    first = ElementType::CharNot;
                }
                last_sym_start = out.size();
                while (i_ < s_.size() && s_[i_] != ']') {
                    if (s_[i_] == '\n' || s_[i_] == '\r') break;
                    const ElementType type = last_sym_start < out.size() ? ElementType::CharAlt : first;
                    out.push_back({type, character()});
                    if (i_ + 1 < s_.size() && s_[i_] == '-' && s_[i_ + 1] != ']' && s_[i_ + 1] != '\n' &&
                        s_[i_ + 1] != '\r') {
                        ++i_;
                        const uint32_t upper = character();
                        if (upper < out.back().value) error_at(at, "a character range's upper end is below its lower end");
                        out.push_back({ElementType::CharRngUpper, upper});
                    }
                }
                if (i_ >= s_.size() || s_[i_] != ']') error_at(at, "a character class is not closed with ']' on its line");
                if (last_sym_start == out.size()) error_at(at, "an empty character class");
                ++i_;
            } else if (is_name_char(c)) {
                const std::string ref = name();
                last_sym_start = out.size();
                out.push_back({ElementType::RuleRef, symbol(ref, at)});
            } else if (c == '(') {
                ++i_;
                skip_space(true);
                const uint32_t sub = generated_symbol(rule_name);
                alternatives(rule_name, sub, true);
                last_sym_start = out.size();
                out.push_back({ElementType::RuleRef, sub});
                if (i_ >= s_.size() || s_[i_] != ')') error_at(at, "expected ')' to close this '(', found " + found());
                ++i_;
            } else if (c == '.') {
                ++i_;
                last_sym_start = out.size();
                out.push_back({ElementType::CharAny, 0});
            } else if (c == '*' || c == '+' || c == '?') {
                if (last_sym_start == out.size()) error_at(at, std::string("'") + c + "' needs an item before it");
                ++i_;
                repeat(out, last_sym_start, rule_name, c == '+' ? 1 : 0, c == '?' ? 1 : -1);
            } else if (c == '{') {
                if (last_sym_start == out.size()) error_at(at, "'{' needs an item before it");
                ++i_;
                skip_space(false);
                const int min = integer("{m,n}");
                int max = min;
                skip_space(false);
                if (i_ < s_.size() && s_[i_] == ',') {
                    ++i_;
                    skip_space(false);
                    max = i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' ? integer("{m,n}") : -1;
                    skip_space(false);
                }
                if (i_ >= s_.size() || s_[i_] != '}') error_at(i_, "expected '}' to close a repetition {m,n}, found " + found());
                ++i_;
                if (max >= 0 && max < min) error_at(at, "a repetition {m,n} with n < m");
                repeat(out, last_sym_start, rule_name, min, max);
            } else if (c == '<') {
                error_at(at, "token references (<[id]>) are not supported");
            } else {
                break;
            }
            skip_space(nested);
        }
    }

    int integer(const char *what) {
        const size_t start = i_;
        long v = 0;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
            v = v * 10 + (s_[i_++] - '0');
            if (v > 100000) error_at(start, std::string("a repetition count in ") + what + " above 100000");
        }
        if (start == i_) error_at(start, std::string("expected a number in ") + what + ", found " + found());
        return static_cast<int>(v);
    }

    // llama.cpp's rewrite: S{m,n} = S (m times) then n-m nested optional copies
    // (S' ::= S S'' | ε ...), S{m,} = S (m times) then S' ::= S S' | ε.
    void repeat(std::vector<Element> &out, size_t last_sym_start, const std::string &rule_name, int min, int max) {
        const std::vector<Element> item(out.begin() + static_cast<std::ptrdiff_t>(last_sym_start), out.end());
        if (min == 0) out.resize(last_sym_start);
        for (int k = 1; k < min; ++k) out.insert(out.end(), item.begin(), item.end());
        uint32_t last_rec = 0;
        const int n_opt = max < 0 ? 1 : max - min;
        for (int k = 0; k < n_opt; ++k) {
            std::vector<Element> rec(item);
            const uint32_t rec_id = generated_symbol(rule_name);
            if (k > 0 || max < 0) rec.push_back({ElementType::RuleRef, max < 0 ? rec_id : last_rec});
            rec.push_back({ElementType::Alt, 0});
            rec.push_back({ElementType::End, 0});
            rules_[rec_id] = std::move(rec);
            last_rec = rec_id;
        }
        if (n_opt > 0) out.push_back({ElementType::RuleRef, last_rec});
    }

    // A rule that can reach itself without consuming a character would make the matcher's
    // expansion loop forever (llama.cpp rejects these too).
    void check_left_recursion() const {
        const size_t n = rules_.size();
        std::vector<bool> nullable(n, false);
        for (bool changed = true; changed;) {
            changed = false;
            for (size_t r = 0; r < n; ++r) {
                if (nullable[r]) continue;
                bool seq_nullable = true, rule_nullable = false;
                for (const Element &e : rules_[r]) {
                    if (end_of_sequence(e)) {
                        rule_nullable = rule_nullable || seq_nullable;
                        seq_nullable = true;
                        continue;
                    }
                    if (e.type != ElementType::RuleRef || !nullable[e.value]) {
                        if (e.type != ElementType::CharAlt && e.type != ElementType::CharRngUpper) seq_nullable = false;
                    }
                }
                if (rule_nullable) {
                    nullable[r] = true;
                    changed = true;
                }
            }
        }
        // Edges r -> x where x can be the first thing r matches.
        std::vector<std::vector<uint32_t>> first(n);
        for (size_t r = 0; r < n; ++r) {
            bool at_start = true;
            for (const Element &e : rules_[r]) {
                if (end_of_sequence(e)) {
                    at_start = true;
                    continue;
                }
                if (!at_start) continue;
                if (e.type == ElementType::RuleRef) {
                    first[r].push_back(e.value);
                    at_start = nullable[e.value];
                } else {
                    at_start = false;
                }
            }
        }
        std::vector<int> state(n, 0);  // 0 unvisited, 1 on the path, 2 done
        std::function<void(uint32_t)> visit = [&](uint32_t r) {
            state[r] = 1;
            for (uint32_t x : first[r]) {
                if (state[x] == 1) {
                    error_at(defined_at_[x], "rule '" + display_name(x) +
                                                 "' is left-recursive (it can reach itself before matching a "
                                                 "character): rewrite it with repetition, e.g. x ::= a (\",\" a)*");
                }
                if (state[x] == 0) visit(x);
            }
            state[r] = 2;
        };
        for (uint32_t r = 0; r < n; ++r) {
            if (state[r] == 0) visit(r);
        }
    }

    // A generated rule's name is its rule's plus "_N": report the rule the user wrote.
    const std::string &display_name(uint32_t id) const { return owner_[id]; }
};

}  // namespace

Grammar parse_gbnf(std::string_view text, const std::string &root) { return GbnfParser(text, root).parse(); }

}  // namespace lamina::grammar
