// The grammar sampler: it bans (logit -inf) every candidate the grammar does not allow next and
// follows the accepted tokens through the grammar. The chain runs it first (as llama.cpp's
// common_sampler), and only when the token drawn without it is one the grammar rejects.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sampling/grammar/grammar_matcher.h"
#include "sampling/grammar/vocab_trie.h"
#include "sampling/sampler_unit.h"

namespace lamina {

class GrammarSampler final : public SamplerUnit {
public:
    GrammarSampler(grammar::Grammar grammar, std::shared_ptr<const grammar::VocabTrie> trie);

    void apply(Candidates &c, SamplerRng &rng) override;
    // Throws LaminaError(LM_ERR_INVALID_ARGUMENT) for a token the grammar does not allow here,
    // leaving the state as it was.
    void accept(lm_token token) override;
    void reset() override;
    // Whether token may come next (an end-of-generation token: whether the match is complete).
    bool allows(lm_token token);

private:
    grammar::GrammarMatcher matcher_;
    std::shared_ptr<const grammar::VocabTrie> trie_;
    std::vector<uint8_t> allowed_;
};

// A grammar sampler for GBNF text with the start rule `root`, over the context's vocabulary.
// Throws LaminaError(LM_ERR_INVALID_ARGUMENT) for a bad grammar (line and column) or a chain
// made without a model.
std::unique_ptr<GrammarSampler> make_grammar_sampler(const std::string &gbnf, const std::string &root,
                                                     const SamplerContext &context);

}  // namespace lamina
