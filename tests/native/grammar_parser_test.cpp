// GBNF parsing: llama.cpp's syntax compiles, and every kind of bad grammar is an error naming
// the line and column (or the rule) and what was expected.
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "sampling/grammar/gbnf_parser.h"

namespace {

using lamina::LaminaError;
using lamina::grammar::ElementType;
using lamina::grammar::parse_gbnf;

std::string error_of(const std::string &gbnf, const std::string &root = "root") {
    try {
        parse_gbnf(gbnf, root);
    } catch (const LaminaError &e) {
        EXPECT_EQ(e.status(), LM_ERR_INVALID_ARGUMENT);
        return e.what();
    }
    ADD_FAILURE() << "no error for grammar:\n" << gbnf;
    return "";
}

TEST(GrammarParser, ParsesEveryConstructOfLlamaCppGrammars) {
    // The constructs of llama.cpp's grammars/*.gbnf, including continuation lines.
    const char *gbnf = R"(# a comment line
root   ::= object   # trailing comment
value  ::= object | array | string | number | ("true" | "false" | "null") ws
object ::=
  "{" ws (
            string ":" ws value
    ("," ws string ":" ws value)*
  )? "}" ws
array  ::= "[" ws ( value ("," ws value)* )? "]" ws
string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4}) )* "\"" ws
number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9]+)? ws
ws ::= | " " | "\n" [ \t]{0,20}
any ::= .+ "\u00e9" "\U0001F600" [\[\]\-]
)";
    const auto g = parse_gbnf(gbnf);
    EXPECT_EQ(g.names[g.root], "root");
    EXPECT_GT(g.rules.size(), 8u);
    for (const auto &rule : g.rules) {
        ASSERT_FALSE(rule.empty());
        EXPECT_EQ(rule.back().type, ElementType::End);
    }
}

TEST(GrammarParser, CharacterClassesCompileToGroups) {
    const auto g = parse_gbnf(R"(root ::= [^a-c\n])");
    const auto &r = g.rules[g.root];
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(r[0].type, ElementType::CharNot);
    EXPECT_EQ(r[0].value, 'a');
    EXPECT_EQ(r[1].type, ElementType::CharRngUpper);
    EXPECT_EQ(r[1].value, 'c');
    EXPECT_EQ(r[2].type, ElementType::CharAlt);
    EXPECT_EQ(r[2].value, '\n');
}

TEST(GrammarParser, AnotherStartRule) {
    const auto g = parse_gbnf("item ::= \"x\"\nlist ::= item+\n", "list");
    EXPECT_EQ(g.names[g.root], "list");
}

TEST(GrammarParser, SyntaxErrorsNameLineColumnAndWhatWasExpected) {
    EXPECT_EQ(error_of("root ::= \"a\"\nitem = \"b\"\n"),
              "grammar: line 2, column 6: expected '::=' after the rule name 'item', found '='");
    EXPECT_EQ(error_of("root ::= \"abc\n"), "grammar: line 1, column 10: a string literal is not closed on its line");
    EXPECT_EQ(error_of("root ::= [a-z\n"),
              "grammar: line 1, column 10: a character class is not closed with ']' on its line");
    EXPECT_EQ(error_of("root ::= (\"a\" | \"b\"\n"),
              "grammar: line 1, column 10: expected ')' to close this '(', found the end of the grammar");
    EXPECT_EQ(error_of("root ::= * \"a\""), "grammar: line 1, column 10: '*' needs an item before it");
    EXPECT_EQ(error_of("root ::= \"a\"{2,1}"), "grammar: line 1, column 13: a repetition {m,n} with n < m");
    EXPECT_EQ(error_of("root ::= \"a\"{x}"),
              "grammar: line 1, column 14: expected a number in {m,n}, found 'x'");
    EXPECT_EQ(error_of("root ::= \"a\" )"),
              "grammar: line 1, column 14: expected the end of rule 'root' (a new line), found ')'");
    EXPECT_EQ(error_of("root ::= \"\\q\""), "grammar: line 1, column 11: unknown escape '\\q'");
    EXPECT_EQ(error_of("root ::= [z-a]"),
              "grammar: line 1, column 10: a character range's upper end is below its lower end");
    EXPECT_EQ(error_of("root ::= <[42]>"), "grammar: line 1, column 10: token references (<[id]>) are not supported");
    EXPECT_EQ(error_of("   \n# only a comment\n"),
              "grammar: line 3, column 1: the grammar is empty: expected a rule 'name ::= ...'");
    EXPECT_EQ(error_of("::= \"a\""), "grammar: line 1, column 1: expected a rule name, found ':'");
}

TEST(GrammarParser, UndefinedRulesAreNamedWhereTheyAreUsed) {
    EXPECT_EQ(error_of("root ::= item \",\" item\n\nitem ::= \"x\" tail\n"),
              "grammar: line 3, column 14: undefined rule 'tail'");
}

TEST(GrammarParser, MissingStartRuleAndDuplicates) {
    EXPECT_EQ(error_of("item ::= \"x\"\n"), "grammar: no rule named 'root' (the start rule)");
    EXPECT_EQ(error_of("item ::= \"x\"\n", "list"), "grammar: no rule named 'list' (the start rule)");
    EXPECT_EQ(error_of("root ::= \"x\"\nroot ::= \"y\"\n"), "grammar: line 2, column 1: rule 'root' is defined twice");
}

TEST(GrammarParser, LeftRecursionIsAnErrorNamingTheRule) {
    EXPECT_NE(error_of("root ::= expr\nexpr ::= expr \"+\" term | term\nterm ::= [0-9]\n")
                  .find("line 2, column 1: rule 'expr' is left-recursive"),
              std::string::npos);
    // Through a rule that can match nothing, and through a group.
    EXPECT_NE(error_of("root ::= a\na ::= opt b\nopt ::= \"x\"?\nb ::= a \"y\" | \"z\"\n").find("is left-recursive"),
              std::string::npos);
    EXPECT_NE(error_of("root ::= (root \"a\" | \"b\")\n").find("rule 'root' is left-recursive"), std::string::npos);
    // Right recursion is fine.
    EXPECT_NO_THROW(parse_gbnf("root ::= \"a\" root | \"b\"\n"));
}

}  // namespace
