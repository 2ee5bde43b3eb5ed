// GBNF, llama.cpp's grammar format, so grammars written for llama.cpp work unchanged:
//   root  ::= "{" ws pair ("," ws pair)* "}"      # a comment
//   pair  ::= [a-z_]+ ws ":" ws value{1,3}
// Rules `name ::= ...` (names of letters, digits, '-' and '_'), alternatives `|`, grouping `( )`,
// `*` `+` `?` and `{m}` `{m,}` `{m,n}` after any item, string literals, character classes
// `[a-z]` `[^"\\]` with the escapes \x.. \u.... \U........ \t \n \r \\ \" \[ \] \-, `.` (any
// character) and `#` comments. A rule may continue on the next line after `|` or inside
// parentheses. Token references (`<[id]>`) are not supported.
#pragma once

#include <string>
#include <string_view>

#include "sampling/grammar/grammar.h"

namespace lamina::grammar {

// Parses and checks `text` with `root` as the start rule. Throws LaminaError
// (LM_ERR_INVALID_ARGUMENT) with "grammar: line L, column C: ..." for a syntax error (saying what
// was expected), naming an undefined rule where it is first used, the missing start rule, or a
// left-recursive rule (which a top-down matcher cannot run).
Grammar parse_gbnf(std::string_view text, const std::string &root = "root");

}  // namespace lamina::grammar
