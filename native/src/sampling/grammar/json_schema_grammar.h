// JSON schema -> GBNF, after llama.cpp's common/json-schema-to-grammar: the grammar of the JSON
// texts a schema allows, with llama.cpp's rule shapes (primitive rules, bounded whitespace
// `space`, optional properties in their order, "," separated repetitions), so the texts a model
// can produce are those llama.cpp's grammar would let through.
#pragma once

#include <string>
#include <string_view>

namespace lamina::grammar {

// The grammar (start rule "root") of `schema_json`. Throws LaminaError(LM_ERR_INVALID_ARGUMENT)
// naming the problem: text that is not JSON (line, column), or a keyword the grammar cannot
// express (pattern, remote $ref, integer bounds over large ranges...), with its path in the
// schema ("#/properties/age").
std::string json_schema_to_grammar(std::string_view schema_json);

// The schema of any JSON object: a JSON mode.
inline constexpr const char *kJsonObjectSchema = R"({"type": "object"})";

}  // namespace lamina::grammar
