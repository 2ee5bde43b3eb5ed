#include "sampling/grammar/grammar_matcher.h"

#include <utility>

namespace lamina::grammar {
namespace {

bool end_of_sequence(const Element *e) { return e->type == ElementType::End || e->type == ElementType::Alt; }

// Whether the character group at pos matches cp; *next is the element after the group.
bool match_char(const Element *pos, uint32_t cp, const Element **next) {
    const bool positive = pos->type == ElementType::Char || pos->type == ElementType::CharAny;
    bool found = false;
    do {
        if (pos[1].type == ElementType::CharRngUpper) {
            found = found || (pos->value <= cp && cp <= pos[1].value);
            pos += 2;
        } else if (pos->type == ElementType::CharAny) {
            found = true;
            pos += 1;
        } else {
            found = found || pos->value == cp;
            pos += 1;
        }
    } while (pos->type == ElementType::CharAlt);
    *next = pos;
    return found == positive;
}

// Whether some code point that starts with the partial bytes p can match the group at pos.
bool match_partial_char(const Element *pos, PartialUtf8 p) {
    const bool positive = pos->type == ElementType::Char || pos->type == ElementType::CharAny;
    if (p.n_remain < 0 || (p.n_remain == 1 && p.value < 2)) return false;  // invalid or overlong
    uint32_t low = p.value << (p.n_remain * 6);
    const uint32_t high = low | ((1u << (p.n_remain * 6)) - 1);
    if (low == 0) low = p.n_remain == 2 ? 1u << 11 : p.n_remain == 3 ? 1u << 16 : low;
    do {
        if (pos[1].type == ElementType::CharRngUpper) {
            if (pos->value <= high && low <= pos[1].value) return positive;
            pos += 2;
        } else if (pos->type == ElementType::CharAny) {
            return true;
        } else {
            if (low <= pos->value && pos->value <= high) return positive;
            pos += 1;
        }
    } while (pos->type == ElementType::CharAlt);
    return !positive;
}

// One byte into the decoder: false for a byte that cannot come here. *complete is set when a
// code point is whole (then p->value is it and p->n_remain 0).
bool decode_byte(PartialUtf8 *p, uint8_t b, bool *complete) {
    *complete = false;
    if (p->n_remain == 0) {
        if (b < 0x80) {
            *p = {b, 0};
            *complete = true;
        } else if ((b >> 5) == 6) {
            *p = {b & 0x1Fu, 1};
        } else if ((b >> 4) == 14) {
            *p = {b & 0x0Fu, 2};
        } else if ((b >> 3) == 30) {
            *p = {b & 0x07u, 3};
        } else {
            return false;
        }
        return true;
    }
    if ((b & 0xC0) != 0x80) return false;
    *p = {(p->value << 6) | (b & 0x3Fu), p->n_remain - 1};
    *complete = p->n_remain == 0;
    return true;
}

}  // namespace

GrammarMatcher::GrammarMatcher(Grammar grammar) : grammar_(std::move(grammar)) { reset(); }

int32_t GrammarMatcher::push(int32_t parent, const Element *pos) {
    arena_.push_back({pos, parent});
    return static_cast<int32_t>(arena_.size() - 1);
}

bool GrammarMatcher::same(int32_t a, int32_t b) const {
    while (a != b) {
        if (a < 0 || b < 0 || arena_[a].pos != arena_[b].pos) return false;
        a = arena_[a].parent;
        b = arena_[b].parent;
    }
    return true;
}

void GrammarMatcher::add_unique(StackSet &set, int32_t s) const {
    for (int32_t t : set) {
        if (same(s, t)) return;
    }
    set.push_back(s);
}

// Expands rule references on top of s until every stack has a character group on top (or is
// empty), adding the results to out.
void GrammarMatcher::advance(int32_t s, StackSet &out) {
    if (s < 0) {
        add_unique(out, -1);
        return;
    }
    const Element *pos = arena_[s].pos;
    if (pos->type != ElementType::RuleRef) {
        add_unique(out, s);
        return;
    }
    const int32_t parent = arena_[s].parent;
    const int32_t base = end_of_sequence(pos + 1) ? parent : push(parent, pos + 1);
    const Element *sub = grammar_.rules[pos->value].data();
    for (;;) {
        advance(end_of_sequence(sub) ? base : push(base, sub), out);
        while (!end_of_sequence(sub)) ++sub;
        if (sub->type != ElementType::Alt) break;
        ++sub;
    }
}

void GrammarMatcher::step(const StackSet &in, uint32_t cp, StackSet &out) {
    out.clear();
    for (int32_t s : in) {
        if (s < 0) continue;
        const Element *next = nullptr;
        if (!match_char(arena_[s].pos, cp, &next)) continue;
        const int32_t parent = arena_[s].parent;
        advance(end_of_sequence(next) ? parent : push(parent, next), out);
    }
}

bool GrammarMatcher::partial_fits(const StackSet &set, PartialUtf8 p) const {
    for (int32_t s : set) {
        if (s >= 0 && match_partial_char(arena_[s].pos, p)) return true;
    }
    return false;
}

void GrammarMatcher::load(StackSet &out) {
    arena_.clear();
    out.clear();
    for (const auto &stack : committed_) {
        int32_t s = -1;
        for (const Element *pos : stack) s = push(s, pos);
        out.push_back(s);
    }
}

void GrammarMatcher::store(const StackSet &set) {
    committed_.clear();
    for (int32_t s : set) {
        std::vector<const Element *> stack;
        for (int32_t k = s; k >= 0; k = arena_[k].parent) stack.push_back(arena_[k].pos);
        committed_.emplace_back(stack.rbegin(), stack.rend());
    }
}

void GrammarMatcher::reset() {
    arena_.clear();
    partial_ = {};
    const Element *start = grammar_.rules[grammar_.root].data();
    StackSet set;
    for (;;) {
        advance(end_of_sequence(start) ? -1 : push(-1, start), set);
        while (!end_of_sequence(start)) ++start;
        if (start->type != ElementType::Alt) break;
        ++start;
    }
    store(set);
}

bool GrammarMatcher::run(std::string_view bytes, StackSet &set, PartialUtf8 &p) {
    StackSet next;
    for (const char ch : bytes) {
        bool complete = false;
        if (!decode_byte(&p, static_cast<uint8_t>(ch), &complete)) return false;
        if (!complete) continue;
        step(set, p.value, next);
        p = {};
        std::swap(set, next);
        if (set.empty()) return false;
    }
    return p.n_remain == 0 || partial_fits(set, p);
}

bool GrammarMatcher::can_accept(std::string_view bytes) {
    StackSet set;
    load(set);
    PartialUtf8 p = partial_;
    return run(bytes, set, p);
}

bool GrammarMatcher::accept(std::string_view bytes) {
    StackSet set;
    load(set);
    PartialUtf8 p = partial_;
    if (!run(bytes, set, p)) return false;
    store(set);
    partial_ = p;
    return true;
}

bool GrammarMatcher::can_end() const {
    if (partial_.n_remain != 0) return false;
    for (const auto &stack : committed_) {
        if (stack.empty()) return true;
    }
    return false;
}

void GrammarMatcher::allowed_tokens(const VocabTrie &trie, std::vector<uint8_t> &allowed) {
    allowed.assign(static_cast<size_t>(trie.n_vocab()), 0);
    if (levels_.empty()) levels_.resize(1);
    load(levels_[0]);
    walk(trie, trie.root(), partial_, 0, allowed);
    if (can_end()) {
        for (lm_token t : trie.eog_tokens()) allowed[static_cast<size_t>(t)] = 1;
    }
}

// Depth-first over the trie: levels_[depth] holds the stacks after the bytes down to node
// (p: a code point left unfinished by them). Nodes made below a child are dropped when it is
// done: nothing above refers to them.
void GrammarMatcher::walk(const VocabTrie &trie, const VocabTrie::Node &node, PartialUtf8 p, size_t depth,
                          std::vector<uint8_t> &allowed) {
    if (node.n_tokens > 0 && (p.n_remain == 0 || partial_fits(levels_[depth], p))) {
        const lm_token *tokens = trie.tokens(node);
        for (uint32_t k = 0; k < node.n_tokens; ++k) allowed[static_cast<size_t>(tokens[k])] = 1;
    }
    if (levels_.size() < depth + 2) levels_.resize(depth + 2);
    const VocabTrie::Edge *edges = trie.edges(node);
    for (uint32_t e = 0; e < node.n_edges; ++e) {
        PartialUtf8 q = p;
        bool complete = false;
        if (!decode_byte(&q, edges[e].byte, &complete)) continue;
        const size_t mark = arena_.size();
        if (complete) {
            step(levels_[depth], q.value, levels_[depth + 1]);
            if (!levels_[depth + 1].empty()) walk(trie, trie.node(edges[e].child), {}, depth + 1, allowed);
        } else if (partial_fits(levels_[depth], q)) {
            levels_[depth + 1] = levels_[depth];
            walk(trie, trie.node(edges[e].child), q, depth + 1, allowed);
        }
        arena_.resize(mark);
    }
}

}  // namespace lamina::grammar
