#include "common/json_value.h"

#include <cmath>
#include <cstdlib>

#include "common/error.h"
#include "common/text_position.h"
#include "tokenizer/utf8.h"

namespace lamina {

JsonValue JsonValue::boolean(bool b) {
    JsonValue v;
    v.type_ = Type::Bool;
    v.bool_ = b;
    return v;
}

JsonValue JsonValue::number(double d, std::string text) {
    JsonValue v;
    v.type_ = Type::Number;
    v.number_ = d;
    v.text_ = std::move(text);
    return v;
}

JsonValue JsonValue::string(std::string s) {
    JsonValue v;
    v.type_ = Type::String;
    v.text_ = std::move(s);
    return v;
}

JsonValue JsonValue::array(std::vector<JsonValue> items) {
    JsonValue v;
    v.type_ = Type::Array;
    v.items_ = std::move(items);
    return v;
}

JsonValue JsonValue::object(std::vector<std::pair<std::string, JsonValue>> members) {
    JsonValue v;
    v.type_ = Type::Object;
    v.members_ = std::move(members);
    return v;
}

const JsonValue *JsonValue::find(std::string_view key) const {
    for (const auto &m : members_) {
        if (m.first == key) return &m.second;
    }
    return nullptr;
}

bool JsonValue::operator==(const JsonValue &o) const {
    if (type_ != o.type_) return false;
    switch (type_) {
        case Type::Null: return true;
        case Type::Bool: return bool_ == o.bool_;
        case Type::Number: return number_ == o.number_;
        case Type::String: return text_ == o.text_;
        case Type::Array: return items_ == o.items_;
        case Type::Object: return members_ == o.members_;
    }
    return false;
}

std::string json_quote(std::string_view s) {
    static const char *const kHex = "0123456789abcdef";
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 15];
                } else {
                    out += ch;
                }
        }
    }
    return out + "\"";
}

std::string JsonValue::dump() const {
    switch (type_) {
        case Type::Null: return "null";
        case Type::Bool: return bool_ ? "true" : "false";
        case Type::Number: return text_;
        case Type::String: return json_quote(text_);
        case Type::Array: {
            std::string s = "[";
            for (size_t i = 0; i < items_.size(); ++i) s += (i ? "," : "") + items_[i].dump();
            return s + "]";
        }
        case Type::Object: {
            std::string s = "{";
            for (size_t i = 0; i < members_.size(); ++i) {
                s += (i ? "," : "") + json_quote(members_[i].first) + ":" + members_[i].second.dump();
            }
            return s + "}";
        }
    }
    return "null";
}

namespace {

// Deep enough for any real schema; deeper documents are an error, not a stack overflow.
constexpr int kMaxDepth = 256;

class Parser {
public:
    Parser(std::string_view text, const std::string &what) : s_(text), what_(what) {}

    JsonValue document() {
        skip_space();
        JsonValue v = value(0);
        skip_space();
        if (i_ < s_.size()) error("unexpected text after the JSON value");
        return v;
    }

private:
    std::string_view s_;
    const std::string &what_;
    size_t i_ = 0;

    [[noreturn]] void error(const std::string &why) const {
        fail(LM_ERR_INVALID_ARGUMENT, what_ + ": " + line_column(s_, i_) + ": " + why);
    }

    void skip_space() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
    }

    bool take(std::string_view word) {
        if (s_.substr(i_, word.size()) != word) return false;
        i_ += word.size();
        return true;
    }

    JsonValue value(int depth) {
        if (depth > kMaxDepth) error("nested more than " + std::to_string(kMaxDepth) + " levels deep");
        if (i_ >= s_.size()) error("expected a value, found the end of the text");
        const char c = s_[i_];
        if (c == '{') return object(depth);
        if (c == '[') return array(depth);
        if (c == '"') return JsonValue::string(string());
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (take("true")) return JsonValue::boolean(true);
        if (take("false")) return JsonValue::boolean(false);
        if (take("null")) return JsonValue();
        error(std::string("expected a value, found '") + c + "'");
    }

    JsonValue object(int depth) {
        ++i_;
        std::vector<std::pair<std::string, JsonValue>> members;
        skip_space();
        if (i_ < s_.size() && s_[i_] == '}') {
            ++i_;
            return JsonValue::object(std::move(members));
        }
        for (;;) {
            skip_space();
            if (i_ >= s_.size() || s_[i_] != '"') error("expected a string key in an object");
            std::string key = string();
            skip_space();
            if (i_ >= s_.size() || s_[i_] != ':') error("expected ':' after an object key");
            ++i_;
            skip_space();
            JsonValue v = value(depth + 1);
            members.emplace_back(std::move(key), std::move(v));
            skip_space();
            if (i_ < s_.size() && s_[i_] == ',') {
                ++i_;
                continue;
            }
            if (i_ < s_.size() && s_[i_] == '}') {
                ++i_;
                return JsonValue::object(std::move(members));
            }
            error("expected ',' or '}' in an object");
        }
    }

    JsonValue array(int depth) {
        ++i_;
        std::vector<JsonValue> items;
        skip_space();
        if (i_ < s_.size() && s_[i_] == ']') {
            ++i_;
            return JsonValue::array(std::move(items));
        }
        for (;;) {
            skip_space();
            items.push_back(value(depth + 1));
            skip_space();
            if (i_ < s_.size() && s_[i_] == ',') {
                ++i_;
                continue;
            }
            if (i_ < s_.size() && s_[i_] == ']') {
                ++i_;
                return JsonValue::array(std::move(items));
            }
            error("expected ',' or ']' in an array");
        }
    }

    JsonValue number() {
        const size_t start = i_;
        if (s_[i_] == '-') ++i_;
        auto digits = [&] {
            const size_t from = i_;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
            return i_ - from;
        };
        if (i_ < s_.size() && s_[i_] == '0') {
            ++i_;
        } else if (digits() == 0) {
            error("expected a digit in a number");
        }
        if (i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            if (digits() == 0) error("expected a digit after '.' in a number");
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            if (digits() == 0) error("expected a digit in a number's exponent");
        }
        std::string text(s_.substr(start, i_ - start));
        return JsonValue::number(std::strtod(text.c_str(), nullptr), text);
    }

    unsigned hex4() {
        unsigned v = 0;
        for (int k = 0; k < 4; ++k, ++i_) {
            if (i_ >= s_.size()) error("expected four hex digits after \\u");
            const char h = s_[i_];
            v <<= 4;
            if (h >= '0' && h <= '9') v |= h - '0';
            else if (h >= 'a' && h <= 'f') v |= h - 'a' + 10;
            else if (h >= 'A' && h <= 'F') v |= h - 'A' + 10;
            else error("expected four hex digits after \\u");
        }
        return v;
    }

    std::string string() {
        ++i_;
        std::string out;
        for (;;) {
            if (i_ >= s_.size()) error("a string is not closed");
            const char c = s_[i_];
            if (c == '"') {
                ++i_;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) error("a control character in a string must be escaped");
            if (c != '\\') {
                out += c;
                ++i_;
                continue;
            }
            ++i_;
            if (i_ >= s_.size()) error("a string is not closed");
            const char e = s_[i_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00) {
                        if (!take("\\u")) error("a high surrogate \\u escape must be followed by a low one");
                        const unsigned lo = hex4();
                        if (lo < 0xDC00 || lo > 0xDFFF) error("a high surrogate \\u escape must be followed by a low one");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        error("a lone low surrogate \\u escape");
                    }
                    append_utf8(out, cp);
                    break;
                }
                default: --i_; error(std::string("unknown escape '\\") + e + "' in a string");
            }
        }
    }
};

}  // namespace

JsonValue parse_json(std::string_view text, const std::string &what) { return Parser(text, what).document(); }

}  // namespace lamina
