// What both Mirostat versions do once they have cut the candidates: draw from what is left and
// move mu against the error between the drawn token's surprise and the target tau.
#pragma once

#include <cmath>

#include "sampling/sampler_unit.h"

namespace lamina {

inline void mirostat_draw(Candidates &c, SamplerRng &rng, size_t keep, double tau, double eta, double &mu) {
    c.truncate(keep == 0 ? 1 : keep);
    c.softmax();
    const size_t i = draw(c, rng);
    c.select(static_cast<int64_t>(i));
    mu -= eta * (-std::log2(c[i].p) - tau);
}

}  // namespace lamina
