// The vocabulary as a byte trie, built once per model: grammar masking walks it together with
// the grammar's stacks, so a prefix shared by many tokens ("\"na", " the") is matched once and a
// rejected prefix prunes every token below it, instead of matching each token's text in turn.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lamina.h"

namespace lamina {
class Tokenizer;
}

namespace lamina::grammar {

class VocabTrie {
public:
    struct Edge {
        uint8_t byte;
        uint32_t child;
    };
    struct Node {
        uint32_t first_edge = 0, n_edges = 0;
        uint32_t first_token = 0, n_tokens = 0;  // tokens whose text ends here
    };

    // Every token with text (control tokens render as "" and are left out; so are texts
    // starting with a NUL byte, as llama.cpp does), and the end-of-generation tokens apart.
    explicit VocabTrie(const Tokenizer &tokenizer);

    int32_t n_vocab() const { return n_vocab_; }
    const Node &root() const { return nodes_[0]; }
    const Node &node(uint32_t i) const { return nodes_[i]; }
    const Edge *edges(const Node &n) const { return edges_.data() + n.first_edge; }
    const lm_token *tokens(const Node &n) const { return tokens_.data() + n.first_token; }
    size_t n_nodes() const { return nodes_.size(); }

    bool is_eog(lm_token t) const { return t >= 0 && t < n_vocab_ && eog_[static_cast<size_t>(t)]; }
    const std::vector<lm_token> &eog_tokens() const { return eog_tokens_; }
    // The token's bytes ("" for control tokens).
    const std::string &piece(lm_token t) const { return pieces_.at(static_cast<size_t>(t)); }

private:
    int32_t n_vocab_ = 0;
    std::vector<Node> nodes_;
    std::vector<Edge> edges_;
    std::vector<lm_token> tokens_;
    std::vector<uint8_t> eog_;
    std::vector<lm_token> eog_tokens_;
    std::vector<std::string> pieces_;
};

// One trie per model, built by the first grammar that needs it and shared by every sampler.
class VocabTrieCache {
public:
    std::shared_ptr<const VocabTrie> get(const Tokenizer &tokenizer);

private:
    std::mutex mutex_;
    std::shared_ptr<const VocabTrie> trie_;
};

}  // namespace lamina::grammar
