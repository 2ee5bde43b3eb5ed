#include "sampling/sampler_chain.h"

#include <cmath>

#include "common/error.h"
#include "sampling/sampler_spec.h"

namespace lamina {

SamplerChain::SamplerChain(uint64_t seed, SamplerContext context) : context_(context), rng_(seed) {
    draw_ = find_sampler_kind("dist")->make(SamplerArgs{}, context_);
}

void SamplerChain::add(const std::string &spec) {
    if (ends_with_selector_) {
        fail(LM_ERR_INVALID_ARGUMENT, "sampler '" + spec + "' after '" + specs_.back() +
                                          "', which already picks the token: a picking sampler (greedy, dist, "
                                          "mirostat_v2) must come last");
    }
    ParsedSpec parsed = parse_sampler_spec(spec);
    units_.push_back(parsed.kind->make(parsed.args, context_));
    specs_.push_back(spec);
    ends_with_selector_ = parsed.kind->selects;
}

lm_token SamplerChain::sample(const float *logits, int32_t n_vocab) {
    if (logits == nullptr || n_vocab <= 0) fail(LM_ERR_INVALID_ARGUMENT, "sample needs logits and n_vocab > 0");
    if (context_.n_vocab > 0 && n_vocab != context_.n_vocab) {
        fail(LM_ERR_INVALID_ARGUMENT, "sample: n_vocab " + std::to_string(n_vocab) + " is not the model's " +
                                          std::to_string(context_.n_vocab));
    }
    candidates_.reset(logits, n_vocab);
    if (grammar_ == nullptr) return run_chain();
    // llama.cpp's fast path: draw without the grammar, and only when the grammar rejects that
    // token mask the candidates and draw again (most tokens of a constrained output are the
    // model's own first choice, and the mask costs a walk over the vocabulary).
    const lm_token first = run_chain();
    if (grammar_->allows(first)) return first;
    candidates_.reset(logits, n_vocab);
    grammar_->apply(candidates_, rng_);
    return run_chain();
}

lm_token SamplerChain::run_chain() {
    for (const auto &unit : units_) unit->apply(candidates_, rng_);
    if (!ends_with_selector_) draw_->apply(candidates_, rng_);
    const int64_t i = candidates_.selected();
    if (i < 0 || static_cast<size_t>(i) >= candidates_.size()) {
        fail(LM_ERR_INTERNAL, "the sampler chain selected no token");
    }
    // Every candidate banned (-inf everywhere, e.g. by logit_bias) leaves nothing to pick from.
    if (std::isinf(candidates_[static_cast<size_t>(i)].logit) && candidates_[static_cast<size_t>(i)].logit < 0) {
        fail(LM_ERR_INVALID_ARGUMENT, grammar_ != nullptr
                                          ? "every token is banned (logit -inf) by the grammar and the samplers: "
                                            "nothing to sample"
                                          : "every token is banned (logit -inf): nothing to sample");
    }
    return candidates_[static_cast<size_t>(i)].id;
}

void SamplerChain::add_grammar(const std::string &gbnf, const std::string &root) {
    if (grammar_ != nullptr) fail(LM_ERR_INVALID_ARGUMENT, "the sampler chain already has a grammar (one per chain)");
    grammar_ = make_grammar_sampler(gbnf, root, context_);
}

void SamplerChain::accept(lm_token token) {
    if (grammar_ != nullptr) grammar_->accept(token);  // first: a rejected token changes nothing
    for (const auto &unit : units_) unit->accept(token);
}

void SamplerChain::reset() {
    for (const auto &unit : units_) unit->reset();
    if (grammar_ != nullptr) grammar_->reset();
    rng_.reset();
}

}  // namespace lamina
