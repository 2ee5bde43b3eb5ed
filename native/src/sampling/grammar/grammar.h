// A compiled grammar, as llama.cpp's llama_grammar_rules: every rule is a flat run of elements,
// its alternatives separated by Alt and closed by End. A character group is one Char (or
// CharNot) element followed by CharAlt / CharRngUpper elements for its further characters and
// ranges; repetition and grouping have been rewritten into generated rules, so the matcher only
// sees characters and rule references.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lamina::grammar {

enum class ElementType : uint8_t {
    End,           // end of a rule
    Alt,           // start of another alternative
    RuleRef,       // value = rule id
    Char,          // value = code point; starts a group
    CharNot,       // [^...]: starts a negated group
    CharRngUpper,  // the previous Char/CharAlt is the lower end of a range up to value
    CharAlt,       // another character of the group
    CharAny,       // '.': any code point
};

struct Element {
    ElementType type;
    uint32_t value;
};

struct Grammar {
    std::vector<std::vector<Element>> rules;  // by rule id
    std::vector<std::string> names;           // by rule id
    uint32_t root = 0;
};

}  // namespace lamina::grammar
