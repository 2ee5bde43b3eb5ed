// Drops the tokens less likely than p times the most likely one.
#include <cmath>

#include "sampling/sampler_unit.h"

namespace lamina {
namespace {

class MinP final : public SamplerUnit {
public:
    MinP(double p, size_t min_keep) : p_(p), min_keep_(min_keep) {}
    void apply(Candidates &c, SamplerRng &) override {
        if (p_ <= 0.0 || c.size() == 0) return;
        c.sort_by_logit();
        // p_i >= p * p_max  <=>  logit_i >= logit_max + ln p: no softmax needed.
        const double floor = c[0].logit + std::log(p_);
        size_t keep = 1;
        while (keep < c.size() && (c[keep].logit >= floor || keep < min_keep_)) ++keep;
        c.truncate(keep);
    }

private:
    double p_;
    size_t min_keep_;
};

}  // namespace

extern const SamplerKind kMinPSampler = {
    "min_p", "drops tokens less likely than p times the most likely one",
    {{"p", 0.05, 0, 1, false, "fraction of the top probability; 0 = off"},
     {"min_keep", 1, 1, 1 << 30, true, "keep at least this many tokens"}},
    false, false, false,
    [](const SamplerArgs &a, const SamplerContext &) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<MinP>(a["p"], static_cast<size_t>(a["min_keep"]));
    }};

}  // namespace lamina
