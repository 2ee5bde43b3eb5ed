#include "sampling/grammar/grammar_matcher.h"

#include <algorithm>
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
    const Node n{pos, parent};
    auto it = node_ids_.find(n);
    if (it != node_ids_.end()) return it->second;
    arena_.push_back(n);
    const auto id = static_cast<int32_t>(arena_.size() - 1);
    node_ids_.emplace(n, id);
    return id;
}

// Expands rule references on top of s until every stack has a character group on top (or is
// empty), adding the results to out.
void GrammarMatcher::advance(int32_t s, std::vector<int32_t> &out) {
    if (s < 0 || arena_[s].pos->type != ElementType::RuleRef) {
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
        return;
    }
    const Element *pos = arena_[s].pos;
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

int32_t GrammarMatcher::intern(std::vector<int32_t> stacks) {
    if (stacks.empty()) return -1;
    std::sort(stacks.begin(), stacks.end());
    auto it = set_ids_.find(stacks);
    if (it != set_ids_.end()) return it->second;
    const auto id = static_cast<int32_t>(sets_.size());
    sets_.push_back({stacks, std::vector<int32_t>(128, kUnknown), {}});
    set_ids_.emplace(std::move(stacks), id);
    return id;
}

int32_t GrammarMatcher::next(int32_t set, uint32_t cp) {
    if (cp < 128) {
        const int32_t known = sets_[set].ascii_next[cp];
        if (known != kUnknown) return known;
    } else {
        auto it = sets_[set].other_next.find(cp);
        if (it != sets_[set].other_next.end()) return it->second;
    }
    std::vector<int32_t> out;
    const std::vector<int32_t> stacks = sets_[set].stacks;  // a copy: interning may grow sets_
    for (int32_t s : stacks) {
        if (s < 0) continue;
        const Element *after = nullptr;
        if (!match_char(arena_[s].pos, cp, &after)) continue;
        const int32_t parent = arena_[s].parent;
        advance(end_of_sequence(after) ? parent : push(parent, after), out);
    }
    const int32_t result = intern(std::move(out));
    if (cp < 128) {
        sets_[set].ascii_next[cp] = result;
    } else {
        sets_[set].other_next.emplace(cp, result);
    }
    return result;
}

bool GrammarMatcher::partial_fits(int32_t set, PartialUtf8 p) const {
    for (int32_t s : sets_[set].stacks) {
        if (s >= 0 && match_partial_char(arena_[s].pos, p)) return true;
    }
    return false;
}

// Nested grammars (JSON inside JSON) keep making new stacks; past a bound the tables start
// again from the current state alone.
void GrammarMatcher::compact() {
    if (arena_.size() < (1u << 18) && sets_.size() < (1u << 15)) return;
    std::vector<std::vector<const Element *>> live;
    for (int32_t s : sets_[committed_].stacks) {
        std::vector<const Element *> stack;
        for (int32_t k = s; k >= 0; k = arena_[k].parent) stack.push_back(arena_[k].pos);
        live.emplace_back(stack.rbegin(), stack.rend());
    }
    arena_.clear();
    node_ids_.clear();
    sets_.clear();
    set_ids_.clear();
    std::vector<int32_t> stacks;
    for (const auto &stack : live) {
        int32_t s = -1;
        for (const Element *pos : stack) s = push(s, pos);
        stacks.push_back(s);
    }
    committed_ = intern(std::move(stacks));
}

void GrammarMatcher::reset() {
    arena_.clear();
    node_ids_.clear();
    sets_.clear();
    set_ids_.clear();
    partial_ = {};
    const Element *start = grammar_.rules[grammar_.root].data();
    std::vector<int32_t> stacks;
    for (;;) {
        advance(end_of_sequence(start) ? -1 : push(-1, start), stacks);
        while (!end_of_sequence(start)) ++start;
        if (start->type != ElementType::Alt) break;
        ++start;
    }
    committed_ = intern(std::move(stacks));
}

bool GrammarMatcher::run(std::string_view bytes, int32_t &set, PartialUtf8 &p) {
    for (const char ch : bytes) {
        bool complete = false;
        if (!decode_byte(&p, static_cast<uint8_t>(ch), &complete)) return false;
        if (!complete) continue;
        set = next(set, p.value);
        p = {};
        if (set < 0) return false;
    }
    return p.n_remain == 0 || partial_fits(set, p);
}

bool GrammarMatcher::can_accept(std::string_view bytes) {
    compact();
    int32_t set = committed_;
    PartialUtf8 p = partial_;
    return run(bytes, set, p);
}

bool GrammarMatcher::accept(std::string_view bytes) {
    compact();
    int32_t set = committed_;
    PartialUtf8 p = partial_;
    if (!run(bytes, set, p)) return false;
    committed_ = set;
    partial_ = p;
    return true;
}

bool GrammarMatcher::can_end() const {
    if (partial_.n_remain != 0) return false;
    const std::vector<int32_t> &stacks = sets_[committed_].stacks;
    return !stacks.empty() && stacks.front() == -1;  // sorted: the empty stack comes first
}

void GrammarMatcher::allowed_tokens(const VocabTrie &trie, std::vector<uint8_t> &allowed) {
    compact();
    allowed.assign(static_cast<size_t>(trie.n_vocab()), 0);
    walk(trie, trie.root(), partial_, committed_, allowed);
    if (can_end()) {
        for (lm_token t : trie.eog_tokens()) allowed[static_cast<size_t>(t)] = 1;
    }
}

// Depth-first over the trie: set is the stacks after the bytes down to node (p: a code point
// they left unfinished).
void GrammarMatcher::walk(const VocabTrie &trie, const VocabTrie::Node &node, PartialUtf8 p, int32_t set,
                          std::vector<uint8_t> &allowed) {
    if (node.n_tokens > 0 && (p.n_remain == 0 || partial_fits(set, p))) {
        const lm_token *tokens = trie.tokens(node);
        for (uint32_t k = 0; k < node.n_tokens; ++k) allowed[static_cast<size_t>(tokens[k])] = 1;
    }
    const VocabTrie::Edge *edges = trie.edges(node);
    for (uint32_t e = 0; e < node.n_edges; ++e) {
        PartialUtf8 q = p;
        bool complete = false;
        if (!decode_byte(&q, edges[e].byte, &complete)) continue;
        if (complete) {
            const int32_t after = next(set, q.value);
            if (after >= 0) walk(trie, trie.node(edges[e].child), {}, after, allowed);
        } else if (partial_fits(set, q)) {
            walk(trie, trie.node(edges[e].child), q, set, allowed);
        }
    }
}

}  // namespace lamina::grammar
