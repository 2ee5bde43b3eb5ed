// JSON schema -> GBNF, in the style of llama.cpp's test-json-schema-to-grammar: each schema's
// grammar must compile, accept the listed JSON texts and reject the others; bad schemas are
// errors naming the place. Also the small JSON parser the converter reads schemas with.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "common/json_value.h"
#include "sampling/grammar/gbnf_parser.h"
#include "sampling/grammar/grammar_matcher.h"
#include "sampling/grammar/json_schema_grammar.h"

namespace {

using lamina::LaminaError;
using lamina::grammar::json_schema_to_grammar;

struct SchemaCase {
    const char *name;
    const char *schema;
    std::vector<std::string> accepted;
    std::vector<std::string> rejected;
};

bool grammar_matches(const std::string &gbnf, const std::string &text) {
    lamina::grammar::GrammarMatcher m(lamina::grammar::parse_gbnf(gbnf));
    return m.accept(text) && m.can_end();
}

const std::vector<SchemaCase> &cases() {
    static const std::vector<SchemaCase> all = {
        {"required and optional properties",
         R"({"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"email":{"type":"string"}},"required":["name"]})",
         {R"({"name":"Ann"})", R"({"name": "Ann", "age": 31})", R"({"name":"Ann","email":"a@b"})",
          R"({"name":"Ann","age":-2,"email":"a@b"})", "{\n  \"name\": \"Ann\"\n}"},
         {R"({})", R"({"age":31})", R"({"age":31,"name":"Ann"})", R"({"name":"Ann","age":3.5})",
          R"({"name":"Ann","other":1})", R"({"name":"Ann",})"}},
        {"enum and const",
         R"({"type":"object","properties":{"color":{"enum":["red","green",null,42]},"v":{"const":"1.0"}},"required":["color","v"]})",
         {R"({"color":"red","v":"1.0"})", R"({"color":null,"v":"1.0"})", R"({"color":42,"v":"1.0"})"},
         {R"({"color":"blue","v":"1.0"})", R"({"color":"red","v":"1.1"})", R"({"color":"Red","v":"1.0"})"}},
        {"array bounds",
         R"({"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":3})",
         {"[1,2]", "[1, 2, 3]", "[ 0 ,\n 5]"},
         {"[]", "[1]", "[1,2,3,4]", "[1,\"a\"]", "[1,2,]"}},
        {"unbounded array and empty array",
         R"({"type":"array","items":{"type":"boolean"}})",
         {"[]", "[true]", "[true,false,true]"},
         {"[null]", "[true false]"}},
        {"tuple with prefixItems",
         R"({"type":"array","prefixItems":[{"type":"string"},{"type":"number"}]})",
         {R"(["a",1.5e3])", R"(["", -0.25])"},
         {R"([1,"a"])", R"(["a"])", R"(["a",1,2])"}},
        {"string formats",
         R"({"type":"object","properties":{"d":{"type":"string","format":"date"},"t":{"type":"string","format":"time"},"dt":{"type":"string","format":"date-time"},"id":{"type":"string","format":"uuid"}},"required":["d","t","dt","id"]})",
         {R"({"d":"2024-02-29","t":"23:59:07Z","dt":"2024-01-31T12:00:00.123+02:00","id":"123e4567-e89b-12d3-a456-426614174000"})"},
         {R"({"d":"2024-13-01","t":"23:59:07Z","dt":"2024-01-31T12:00:00Z","id":"123e4567-e89b-12d3-a456-426614174000"})",
          R"({"d":"2024-01-01","t":"24:00:00Z","dt":"2024-01-31T12:00:00Z","id":"123e4567-e89b-12d3-a456-426614174000"})",
          R"({"d":"2024-01-01","t":"12:00:00Z","dt":"2024-01-31 12:00:00Z","id":"123e4567-e89b-12d3-a456-426614174000"})",
          R"({"d":"2024-01-01","t":"12:00:00Z","dt":"2024-01-31T12:00:00Z","id":"123e4567e89b12d3a456426614174000"})"}},
        {"string lengths",
         R"({"type":"string","minLength":2,"maxLength":4})",
         {R"("ab")", R"("abcd")", R"("a\"")", R"("日本")"},
         {R"("a")", R"("abcde")", "\"a\nb\""}},
        {"$defs and $ref, recursive",
         R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},"next":{"anyOf":[{"$ref":"#/$defs/node"},{"type":"null"}]}},"required":["v","next"]}},"$ref":"#/$defs/node"})",
         {R"({"v":1,"next":null})", R"({"v":1,"next":{"v":2,"next":{"v":3,"next":null}}})"},
         {R"({"v":1})", R"({"v":1,"next":{"v":2}})", R"({"v":1,"next":5})"}},
        {"definitions (draft-07)",
         R"({"definitions":{"pt":{"type":"array","items":{"type":"number"},"minItems":2,"maxItems":2}},"type":"object","properties":{"a":{"$ref":"#/definitions/pt"},"b":{"$ref":"#/definitions/pt"}},"required":["a","b"]})",
         {R"({"a":[0,1],"b":[2.5,-3]})"},
         {R"({"a":[0],"b":[2,3]})"}},
        {"anyOf and oneOf",
         R"({"oneOf":[{"type":"integer"},{"anyOf":[{"type":"string","maxLength":1},{"type":"boolean"}]}]})",
         {"7", R"("x")", "true"},
         {"1.5", R"("xy")", "null"}},
        {"type arrays",
         R"({"type":["string","null"],"maxLength":2})",
         {R"("ab")", "null"},
         {R"("abc")", "1"}},
        {"allOf merges object schemas",
         R"({"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},{"properties":{"b":{"type":"boolean"}}}]})",
         {R"({"a":1})", R"({"a":1,"b":false})"},
         {R"({"b":false})", R"({"a":1,"c":2})"}},
        {"additionalProperties with a schema",
         R"({"type":"object","properties":{"id":{"type":"integer"}},"required":["id"],"additionalProperties":{"type":"string"}})",
         {R"({"id":1})", R"({"id":1,"x":"y"})", R"({"id":1,"i":"y","idx":"z"})"},
         {R"({"id":1,"x":2})", R"({"id":1,"id":"dup"})"}},
        {"additionalProperties only",
         R"({"type":"object","additionalProperties":{"type":"integer"}})",
         {"{}", R"({"a":1,"b":2})"},
         {R"({"a":"1"})"}},
        {"integer bounds",
         R"({"type":"integer","minimum":-2,"exclusiveMaximum":11})",
         {"-2", "0", "10"},
         {"-3", "11", "100", "01"}},
        {"any object (JSON mode)",
         R"({"type":"object"})",
         {"{}", R"({"a":[1,{"b":null}],"c":"d"})"},
         {"[]", "1", R"({"a"})"}},
        {"empty schema: any value",
         R"({})",
         {"1", "[]", R"({"x":[true]})", R"("s")"},
         {"nul", "[1,]"}},
    };
    return all;
}

TEST(JsonSchemaGrammar, SchemasAcceptAndRejectTheirTexts) {
    for (const SchemaCase &c : cases()) {
        SCOPED_TRACE(c.name);
        std::string gbnf;
        ASSERT_NO_THROW(gbnf = json_schema_to_grammar(c.schema));
        ASSERT_NO_THROW(lamina::grammar::parse_gbnf(gbnf)) << gbnf;
        for (const std::string &text : c.accepted) EXPECT_TRUE(grammar_matches(gbnf, text)) << text << "\n" << gbnf;
        for (const std::string &text : c.rejected) EXPECT_FALSE(grammar_matches(gbnf, text)) << text << "\n" << gbnf;
    }
}

TEST(JsonSchemaGrammar, RuleShapesFollowLlamaCpp) {
    const std::string g = json_schema_to_grammar(R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"]})");
    EXPECT_NE(g.find(R"(a-kv ::= "\"a\"" space ":" space string)"), std::string::npos) << g;
    EXPECT_NE(g.find(R"(root ::= "{" space a-kv "}" space)"), std::string::npos) << g;
    EXPECT_NE(g.find(R"(space ::= | " " | "\n"{1,2} [ \t]{0,20})"), std::string::npos) << g;
}

std::string error_of(const std::string &schema) {
    try {
        json_schema_to_grammar(schema);
    } catch (const LaminaError &e) {
        EXPECT_EQ(e.status(), LM_ERR_INVALID_ARGUMENT);
        return e.what();
    }
    ADD_FAILURE() << "no error for schema " << schema;
    return "";
}

TEST(JsonSchemaGrammar, BadSchemasAreClearErrors) {
    EXPECT_EQ(error_of("{\"type\": \"object\",\n \"properties\" {}}"),
              "JSON schema: line 2, column 15: expected ':' after an object key");
    EXPECT_EQ(error_of(R"({"type":"string","pattern":"^a+$"})"),
              "JSON schema at #: pattern is not supported (use enum, format, minLength/maxLength, or a GBNF grammar)");
    EXPECT_EQ(error_of(R"({"properties":{"a":{"$ref":"#/$defs/missing"}}})"),
              "JSON schema at #/properties/a: $ref '#/$defs/missing' names nothing in the schema");
    EXPECT_EQ(error_of(R"({"$ref":"https://example.com/s.json"})"),
              "JSON schema at #: $ref 'https://example.com/s.json' is not supported (only references into this "
              "schema: #/$defs/NAME)");
    EXPECT_EQ(error_of(R"({"type":"array","items":{"type":"int"}})"), "JSON schema at #/items: unknown type 'int'");
    EXPECT_EQ(error_of(R"({"type":"array","items":{},"minItems":3,"maxItems":2})"),
              "JSON schema at #: maxItems is below minItems");
    EXPECT_EQ(error_of(R"({"type":"integer","minimum":0})"),
              "JSON schema at #: integer bounds are supported for ranges of up to 1001 values with both ends given");
    EXPECT_EQ(error_of(R"({"properties":{"a":{}},"required":["b"]})"),
              "JSON schema at #: required property 'b' is not among the properties");
}

TEST(JsonValue, ParsesEveryKindAndKeepsMemberOrder) {
    const lamina::JsonValue v = lamina::parse_json(
        R"( {"z": [1, -2.5e3, true, false, null], "a": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "m": {}} )");
    ASSERT_TRUE(v.is_object());
    ASSERT_EQ(v.members().size(), 3u);
    EXPECT_EQ(v.members()[0].first, "z");
    EXPECT_EQ(v.members()[1].first, "a");
    EXPECT_EQ(v.find("z")->items()[1].as_number(), -2500.0);
    EXPECT_EQ(v.find("z")->items()[1].text(), "-2.5e3");
    EXPECT_EQ(v.find("a")->text(), "x\"\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80");
    EXPECT_EQ(v.dump(), R"({"z":[1,-2.5e3,true,false,null],"a":"x\"\\/\b\f\n\r\t)"
                        "\xC3\xA9\xF0\x9F\x98\x80"
                        R"(","m":{}})");
    EXPECT_EQ(lamina::parse_json(v.dump()), v);
}

TEST(JsonValue, RejectsBadDocumentsWithLineAndColumn) {
    auto error = [](const std::string &text) {
        try {
            lamina::parse_json(text);
        } catch (const LaminaError &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error("[1, 2,]"), "JSON: line 1, column 7: expected a value, found ']'");
    EXPECT_EQ(error("{\"a\": 01}"), "JSON: line 1, column 8: expected ',' or '}' in an object");
    EXPECT_EQ(error("\"abc"), "JSON: line 1, column 5: a string is not closed");
    EXPECT_EQ(error("[1] 2"), "JSON: line 1, column 5: unexpected text after the JSON value");
    EXPECT_EQ(error("\"\\ud800\""), "JSON: line 1, column 8: a high surrogate \\u escape must be followed by a low one");
    EXPECT_EQ(error("{\n\"a\":\n tru}"), "JSON: line 3, column 2: expected a value, found 't'");
    EXPECT_EQ(error(std::string(300, '[')), "JSON: line 1, column 258: nested more than 256 levels deep");
    EXPECT_EQ(error("-"), "JSON: line 1, column 2: expected a digit in a number");
}

}  // namespace
