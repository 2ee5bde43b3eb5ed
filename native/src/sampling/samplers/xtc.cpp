// Exclude Top Choices: with the given probability, removes every token at least as likely as
// the threshold except the least likely of them, pushing the text off its most obvious path.
#include "sampling/sampler_unit.h"

namespace lamina {
namespace {

class Xtc final : public SamplerUnit {
public:
    Xtc(double probability, double threshold, size_t min_keep)
        : probability_(probability), threshold_(threshold), min_keep_(min_keep) {}
    void apply(Candidates &c, SamplerRng &rng) override {
        if (probability_ <= 0 || threshold_ > 0.5 || c.size() < 2) return;
        if (rng.uniform() > probability_) return;
        c.softmax();
        size_t last_above = 0;
        for (size_t i = 0; i < c.size() && c[i].p >= threshold_; ++i) last_above = i;
        if (last_above > 0 && c.size() - last_above >= min_keep_) c.drop_front(last_above);
    }

private:
    double probability_, threshold_;
    size_t min_keep_;
};

}  // namespace

extern const SamplerKind kXtcSampler = {
    "xtc", "sometimes removes the most likely tokens above a threshold (exclude top choices)",
    {{"probability", 0.0, 0, 1, false, "chance of applying per token; 0 = off"},
     {"threshold", 0.1, 0, 1, false, "tokens at least this likely are candidates for removal; > 0.5 = off"},
     {"min_keep", 1, 1, 1 << 30, true, "keep at least this many tokens"}},
    false, false, false,
    [](const SamplerArgs &a, const SamplerContext &) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<Xtc>(a["probability"], a["threshold"], static_cast<size_t>(a["min_keep"]));
    }};

}  // namespace lamina
