// Nucleus sampling: the most likely tokens whose probabilities first add up to p.
#include "sampling/sampler_unit.h"

namespace lamina {
namespace {

class TopP final : public SamplerUnit {
public:
    TopP(double p, size_t min_keep) : p_(p), min_keep_(min_keep) {}
    void apply(Candidates &c, SamplerRng &) override {
        if (p_ >= 1.0) return;
        c.softmax();
        double cumulative = 0;
        for (size_t i = 0; i < c.size(); ++i) {
            cumulative += c[i].p;
            if (cumulative >= p_ && i + 1 >= min_keep_) {
                c.truncate(i + 1);
                return;
            }
        }
    }

private:
    double p_;
    size_t min_keep_;
};

}  // namespace

extern const SamplerKind kTopPSampler = {
    "top_p", "keeps the most likely tokens whose probabilities add up to p",
    {{"p", 0.95, 0, 1, false, "probability mass to keep; 1 = off"},
     {"min_keep", 1, 1, 1 << 30, true, "keep at least this many tokens"}},
    false, false, false,
    [](const SamplerArgs &a, const SamplerContext &) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<TopP>(a["p"], static_cast<size_t>(a["min_keep"]));
    }};

}  // namespace lamina
