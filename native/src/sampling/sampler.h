// Token sampling: greedy, or temperature with top-k, top-p and min-p filtering and a
// repetition penalty. Deterministic: the same seed and the same logits give the same tokens on
// every run and platform (own PRNG, no implementation-defined std distributions).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "lamina.h"

namespace lamina {

class Sampler {
public:
    explicit Sampler(const lm_sampler_params &params);  // validates; throws LaminaError

    lm_token sample(const float *logits, int32_t n_vocab);
    void accept(lm_token token);
    void reset();

private:
    double next_uniform();  // [0, 1)

    lm_sampler_params params_;
    uint64_t state_;
    std::deque<lm_token> history_;
    std::vector<std::pair<float, lm_token>> candidates_;  // reused between calls
};

}  // namespace lamina
