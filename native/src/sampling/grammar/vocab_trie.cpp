#include "sampling/grammar/vocab_trie.h"

#include <map>

#include "tokenizer/tokenizer.h"

namespace lamina::grammar {

VocabTrie::VocabTrie(const Tokenizer &tokenizer) : n_vocab_(tokenizer.n_vocab()) {
    pieces_.resize(static_cast<size_t>(n_vocab_));
    eog_.assign(static_cast<size_t>(n_vocab_), 0);
    // A map-based trie first, then flattened breadth-first so each node's edges are contiguous.
    struct Building {
        std::map<uint8_t, uint32_t> kids;
        std::vector<lm_token> tokens;
    };
    std::vector<Building> tree(1);
    for (lm_token t = 0; t < n_vocab_; ++t) {
        if (tokenizer.is_eog(t)) {
            eog_[static_cast<size_t>(t)] = 1;
            eog_tokens_.push_back(t);
            continue;
        }
        std::string piece = tokenizer.piece(t, false);
        if (piece.empty() || piece[0] == '\0') continue;
        uint32_t at = 0;
        for (const char ch : piece) {
            const auto b = static_cast<uint8_t>(ch);
            auto it = tree[at].kids.find(b);
            if (it == tree[at].kids.end()) {
                tree.emplace_back();
                it = tree[at].kids.emplace(b, static_cast<uint32_t>(tree.size() - 1)).first;
            }
            at = it->second;
        }
        tree[at].tokens.push_back(t);
        pieces_[static_cast<size_t>(t)] = std::move(piece);
    }
    std::vector<uint32_t> order = {0}, flat_index(tree.size(), 0);
    for (size_t k = 0; k < order.size(); ++k) {
        for (const auto &kid : tree[order[k]].kids) {
            flat_index[kid.second] = static_cast<uint32_t>(order.size());
            order.push_back(kid.second);
        }
    }
    nodes_.resize(order.size());
    for (size_t k = 0; k < order.size(); ++k) {
        const Building &b = tree[order[k]];
        Node &n = nodes_[k];
        n.first_edge = static_cast<uint32_t>(edges_.size());
        n.n_edges = static_cast<uint32_t>(b.kids.size());
        for (const auto &kid : b.kids) edges_.push_back({kid.first, flat_index[kid.second]});
        n.first_token = static_cast<uint32_t>(tokens_.size());
        n.n_tokens = static_cast<uint32_t>(b.tokens.size());
        tokens_.insert(tokens_.end(), b.tokens.begin(), b.tokens.end());
    }
}

std::shared_ptr<const VocabTrie> VocabTrieCache::get(const Tokenizer &tokenizer) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!trie_) trie_ = std::make_shared<const VocabTrie>(tokenizer);
    return trie_;
}

}  // namespace lamina::grammar
