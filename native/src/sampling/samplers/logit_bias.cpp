// Adds a fixed bias to the logits of given tokens ("logit_bias 15043=-inf 29871=2.5"; -inf bans
// a token).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "sampling/sampler_spec.h"
#include "sampling/sampler_unit.h"

namespace lamina {
namespace {

class LogitBias final : public SamplerUnit {
public:
    explicit LogitBias(std::vector<std::pair<lm_token, float>> biases) : biases_(std::move(biases)) {}
    void apply(Candidates &c, SamplerRng &) override {
        if (biases_.empty()) return;
        // A fresh candidate list is indexed by token id; after other samplers, search.
        const bool by_id = !c.sorted() && c.size() > 0 && c[c.size() - 1].id == static_cast<lm_token>(c.size() - 1);
        for (const auto &[token, bias] : biases_) {
            if (by_id) {
                if (static_cast<size_t>(token) < c.size()) c[static_cast<size_t>(token)].logit += bias;
                continue;
            }
            for (Candidate &x : c) {
                if (x.id == token) x.logit += bias;
            }
        }
        c.set_sorted(false);
    }

private:
    std::vector<std::pair<lm_token, float>> biases_;
};

std::unique_ptr<SamplerUnit> make(const SamplerArgs &a, const SamplerContext &context) {
    std::vector<std::pair<lm_token, float>> biases;
    for (const auto &[key, value] : a.entries) {
        char *end = nullptr;
        const long token = std::strtol(key.c_str(), &end, 10);
        if (key.empty() || *end != '\0' || token < 0 || token > INT32_MAX) {
            fail(LM_ERR_INVALID_ARGUMENT, "logit_bias: '" + key + "' is not a token id");
        }
        if (context.n_vocab > 0 && token >= context.n_vocab) {
            fail(LM_ERR_INVALID_ARGUMENT, "logit_bias: token " + key + " is outside the vocabulary (" +
                                              std::to_string(context.n_vocab) + " tokens)");
        }
        double bias = 0;
        if (!parse_sampler_number(value, bias) || bias == INFINITY) {
            fail(LM_ERR_INVALID_ARGUMENT, "logit_bias: bias '" + value + "' of token " + key +
                                              " is not a finite number or -inf");
        }
        biases.emplace_back(static_cast<lm_token>(token), static_cast<float>(bias));
    }
    return std::make_unique<LogitBias>(std::move(biases));
}

}  // namespace

extern const SamplerKind kLogitBiasSampler = {
    "logit_bias", "adds a bias to the logits of given tokens (TOKEN=BIAS items; -inf bans a token)", {}, true, false,
    false, make};

}  // namespace lamina
