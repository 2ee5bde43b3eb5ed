// A sampler chain (llama.cpp's llama_sampler_chain): samplers applied in the order given to each
// token's logits, the last one picking the token; a chain whose samplers do not pick ends with a
// seeded draw ("dist"). Same seed + same specs + same logits = same tokens, on every run and
// CPU variant. Candidates and scratch are kept between tokens: no allocation per token.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sampling/candidates.h"
#include "sampling/grammar/grammar_sampler.h"
#include "sampling/sampler_unit.h"

namespace lamina {

class SamplerChain {
public:
    SamplerChain(uint64_t seed, SamplerContext context);

    // Appends a sampler from its spec ("top_k k=40"); throws LaminaError(LM_ERR_INVALID_ARGUMENT)
    // naming the problem, leaving the chain as it was.
    void add(const std::string &spec);
    // Sets the chain's grammar (GBNF, start rule root), applied before the other samplers; a
    // chain has at most one. Throws LaminaError(LM_ERR_INVALID_ARGUMENT) for a bad grammar.
    void add_grammar(const std::string &gbnf, const std::string &root);
    bool has_grammar() const { return grammar_ != nullptr; }
    size_t size() const { return units_.size(); }
    const std::string &spec(size_t i) const { return specs_.at(i); }

    lm_token sample(const float *logits, int32_t n_vocab);
    // A token of the prompt or output, for the samplers with memory (penalties, mirostat).
    void accept(lm_token token);
    // Forgets accepted tokens and restarts the random numbers from the seed.
    void reset();

private:
    lm_token run_chain();

    SamplerContext context_;
    SamplerRng rng_;
    std::vector<std::unique_ptr<SamplerUnit>> units_;
    std::vector<std::string> specs_;
    bool ends_with_selector_ = false;
    std::unique_ptr<GrammarSampler> grammar_;
    std::unique_ptr<SamplerUnit> draw_;  // the closing "dist" of a chain without a selector
    Candidates candidates_;
};

}  // namespace lamina
