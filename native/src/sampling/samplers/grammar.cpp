#include <cmath>
#include <utility>

#include "common/error.h"
#include "sampling/grammar/gbnf_parser.h"
#include "sampling/grammar/grammar_sampler.h"

namespace lamina {

GrammarSampler::GrammarSampler(grammar::Grammar grammar, std::shared_ptr<const grammar::VocabTrie> trie)
    : matcher_(std::move(grammar)), trie_(std::move(trie)) {}

void GrammarSampler::apply(Candidates &c, SamplerRng &) {
    matcher_.allowed_tokens(*trie_, allowed_);
    for (Candidate &cand : c) {
        if (cand.id < 0 || cand.id >= trie_->n_vocab() || !allowed_[static_cast<size_t>(cand.id)]) {
            cand.logit = -INFINITY;
        }
    }
}

bool GrammarSampler::allows(lm_token token) {
    if (token < 0 || token >= trie_->n_vocab()) return false;
    if (trie_->is_eog(token)) return matcher_.can_end();
    const std::string &piece = trie_->piece(token);
    return !piece.empty() && piece[0] != '\0' && matcher_.can_accept(piece);
}

void GrammarSampler::accept(lm_token token) {
    if (token < 0 || token >= trie_->n_vocab()) {
        fail(LM_ERR_INVALID_ARGUMENT, "grammar: token " + std::to_string(token) + " is out of range");
    }
    if (trie_->is_eog(token)) {
        if (!matcher_.can_end()) {
            fail(LM_ERR_INVALID_ARGUMENT, "grammar: end-of-generation token " + std::to_string(token) +
                                              " before the grammar is complete");
        }
        return;
    }
    const std::string &piece = trie_->piece(token);
    if (piece.empty() || piece[0] == '\0' || !matcher_.accept(piece)) {
        fail(LM_ERR_INVALID_ARGUMENT,
             "grammar: token " + std::to_string(token) + " ('" + piece + "') is not allowed by the grammar here");
    }
}

void GrammarSampler::reset() { matcher_.reset(); }

std::unique_ptr<GrammarSampler> make_grammar_sampler(const std::string &gbnf, const std::string &root,
                                                     const SamplerContext &context) {
    if (context.tokenizer == nullptr || context.vocab_tries == nullptr) {
        fail(LM_ERR_INVALID_ARGUMENT, "a grammar needs the model's vocabulary: make the sampler with a model");
    }
    grammar::Grammar g = grammar::parse_gbnf(gbnf, root);
    return std::make_unique<GrammarSampler>(std::move(g), context.vocab_tries->get(*context.tokenizer));
}

}  // namespace lamina
