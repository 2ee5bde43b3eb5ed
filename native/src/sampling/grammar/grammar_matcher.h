// Runs a compiled grammar over UTF-8 text, as llama.cpp's llama_grammar: the state is the set of
// parse stacks (each the grammar positions still to match, innermost on top, every top a
// character group) plus the bytes of a code point a token ended in the middle of. Stacks are
// persistent linked lists in an arena, so a step shares their tails instead of copying them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "lamina.h"
#include "sampling/grammar/grammar.h"
#include "sampling/grammar/vocab_trie.h"

namespace lamina::grammar {

// A code point being decoded: its bits so far and how many continuation bytes it still needs.
struct PartialUtf8 {
    uint32_t value = 0;
    int n_remain = 0;
};

class GrammarMatcher {
public:
    explicit GrammarMatcher(Grammar grammar);

    // Whether the text matched so far may be followed by `bytes` (which may end mid-code-point).
    bool can_accept(std::string_view bytes);
    // Advances over `bytes`; false (state unchanged) if the grammar does not allow them.
    bool accept(std::string_view bytes);
    // Whether the text so far is a complete match (the end of generation may come now).
    bool can_end() const;
    // Back to the start rule.
    void reset();
    // allowed[t] = 1 for each token of the trie the grammar allows next (end-of-generation
    // tokens when can_end()), 0 otherwise; allowed is resized to the trie's n_vocab.
    void allowed_tokens(const VocabTrie &trie, std::vector<uint8_t> &allowed);

    size_t n_stacks() const { return committed_.size(); }

private:
    struct Node {
        const Element *pos;
        int32_t parent;  // -1: the bottom
    };
    using StackSet = std::vector<int32_t>;  // -1 is the empty stack: the grammar is complete

    Grammar grammar_;
    std::vector<std::vector<const Element *>> committed_;  // bottom to top
    PartialUtf8 partial_;

    std::vector<Node> arena_;
    std::vector<StackSet> levels_;  // scratch per trie depth

    int32_t push(int32_t parent, const Element *pos);
    bool same(int32_t a, int32_t b) const;
    void add_unique(StackSet &set, int32_t s) const;
    void advance(int32_t s, StackSet &out);
    void step(const StackSet &in, uint32_t cp, StackSet &out);
    bool partial_fits(const StackSet &set, PartialUtf8 p) const;
    void load(StackSet &out);
    void store(const StackSet &set);
    bool run(std::string_view bytes, StackSet &set, PartialUtf8 &p);
    void walk(const VocabTrie &trie, const VocabTrie::Node &node, PartialUtf8 p, size_t depth,
              std::vector<uint8_t> &allowed);
};

}  // namespace lamina::grammar
