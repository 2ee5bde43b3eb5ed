// The most likely token (ties: the lowest id).
#include "sampling/sampler_unit.h"

namespace lamina {
namespace {

class Greedy final : public SamplerUnit {
public:
    void apply(Candidates &c, SamplerRng &) override {
        size_t best = 0;
        for (size_t i = 1; i < c.size(); ++i) {
            if (c[i].logit > c[best].logit || (c[i].logit == c[best].logit && c[i].id < c[best].id)) best = i;
        }
        c.select(static_cast<int64_t>(best));
    }
};

}  // namespace

extern const SamplerKind kGreedySampler = {
    "greedy", "picks the most likely token", {}, false, false, true,
    [](const SamplerArgs &, const SamplerContext &) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<Greedy>();
    }};

}  // namespace lamina
