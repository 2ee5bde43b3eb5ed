// A parsed JSON document (RFC 8259): null, booleans, numbers, strings, arrays and objects whose
// members keep the order of the text (a JSON schema's property order matters to the grammar made
// from it). Small and strict: no comments, no trailing commas; a bad document is a LaminaError
// (LM_ERR_INVALID_ARGUMENT) naming the line, column and what was expected.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamina {

class JsonValue {
public:
    enum class Type { Null, Bool, Number, String, Array, Object };

    JsonValue() = default;
    static JsonValue boolean(bool b);
    static JsonValue number(double v, std::string text);
    static JsonValue string(std::string s);
    static JsonValue array(std::vector<JsonValue> items);
    static JsonValue object(std::vector<std::pair<std::string, JsonValue>> members);

    Type type() const { return type_; }
    bool is_null() const { return type_ == Type::Null; }
    bool is_bool() const { return type_ == Type::Bool; }
    bool is_number() const { return type_ == Type::Number; }
    bool is_string() const { return type_ == Type::String; }
    bool is_array() const { return type_ == Type::Array; }
    bool is_object() const { return type_ == Type::Object; }

    bool as_bool() const { return bool_; }
    double as_number() const { return number_; }
    // A number as written in the document ("1e3", "-0.50"), a string's decoded UTF-8 text.
    const std::string &text() const { return text_; }
    const std::vector<JsonValue> &items() const { return items_; }
    const std::vector<std::pair<std::string, JsonValue>> &members() const { return members_; }
    // The member named key, or nullptr (also when this is not an object).
    const JsonValue *find(std::string_view key) const;

    // Compact JSON text (strings escaped, members in order, numbers as written).
    std::string dump() const;

    bool operator==(const JsonValue &o) const;
    bool operator!=(const JsonValue &o) const { return !(*this == o); }

private:
    Type type_ = Type::Null;
    bool bool_ = false;
    double number_ = 0;
    std::string text_;
    std::vector<JsonValue> items_;
    std::vector<std::pair<std::string, JsonValue>> members_;
};

// Parses one JSON document (surrounding whitespace allowed); `what` names it in errors
// ("JSON schema: line 3, column 7: expected ':' after an object key").
JsonValue parse_json(std::string_view text, const std::string &what = "JSON");

// s as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

}  // namespace lamina
