// Runs a compiled grammar over UTF-8 text, as llama.cpp's llama_grammar: the state is the set of
// parse stacks (each the grammar positions still to match, innermost on top, every top a
// character group) plus the bytes of a code point a token ended in the middle of. Stacks are
// persistent linked lists in an arena, so a step shares their tails instead of copying them.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
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

    size_t n_stacks() const { return sets_[committed_].stacks.size(); }

private:
    // Stacks are hash-consed (one index per distinct stack) and so are sets of them, so a set's
    // step over a code point is computed once and then looked up: inside a JSON string the set
    // after a character is the set before it, and the trie walk becomes table look-ups.
    struct Node {
        const Element *pos;
        int32_t parent;  // -1: the bottom
    };
    struct NodeKey {
        size_t operator()(const Node &n) const {
            return std::hash<const void *>()(n.pos) ^ (static_cast<size_t>(n.parent) * 0x9E3779B97F4A7C15ull);
        }
    };
    struct NodeEq {
        bool operator()(const Node &a, const Node &b) const { return a.pos == b.pos && a.parent == b.parent; }
    };
    struct SetKey {
        size_t operator()(const std::vector<int32_t> &v) const {
            size_t h = v.size();
            for (int32_t x : v) h = h * 0x100000001B3ull ^ static_cast<size_t>(x);
            return h;
        }
    };
    static constexpr int32_t kUnknown = -2;  // a step not computed yet
    struct StackSet {
        std::vector<int32_t> stacks;  // sorted; -1 is the empty stack: the grammar is complete
        std::vector<int32_t> ascii_next;  // the set after code point c < 128; -1 dead
        std::unordered_map<uint32_t, int32_t> other_next;
    };

    Grammar grammar_;
    std::vector<Node> arena_;
    std::unordered_map<Node, int32_t, NodeKey, NodeEq> node_ids_;
    std::vector<StackSet> sets_;
    std::unordered_map<std::vector<int32_t>, int32_t, SetKey> set_ids_;
    int32_t committed_ = -1;
    PartialUtf8 partial_;

    int32_t push(int32_t parent, const Element *pos);
    void advance(int32_t s, std::vector<int32_t> &out);
    int32_t intern(std::vector<int32_t> stacks);  // -1 for no stacks (a dead end)
    int32_t next(int32_t set, uint32_t cp);
    bool partial_fits(int32_t set, PartialUtf8 p) const;
    bool run(std::string_view bytes, int32_t &set, PartialUtf8 &p);
    void compact();
    void walk(const VocabTrie &trie, const VocabTrie::Node &node, PartialUtf8 p, int32_t set,
              std::vector<uint8_t> &allowed);
};

}  // namespace lamina::grammar
