// Draws a token in proportion to the softmax of the candidates' logits, from the chain's seeded
// random numbers. A chain that ends without a selecting sampler ends with this one.
#include "sampling/sampler_unit.h"

namespace lamina {
namespace {

class Distribution final : public SamplerUnit {
public:
    void apply(Candidates &c, SamplerRng &rng) override {
        c.softmax();
        c.select(static_cast<int64_t>(draw(c, rng)));
    }
};

}  // namespace

extern const SamplerKind kDistributionSampler = {
    "dist", "draws a token from the softmax of what is left (seeded)", {}, false, false, true,
    [](const SamplerArgs &, const SamplerContext &) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<Distribution>();
    }};

}  // namespace lamina
