// Mirostat 2.0 (Basu et al.): keeps the text's surprise near tau by dropping tokens more
// surprising than mu, drawing from the rest and moving mu by eta times the error. Selects the
// token itself (it ends a chain).
#include <cmath>

#include "sampling/sampler_unit.h"
#include "sampling/samplers/mirostat_feedback.h"

namespace lamina {
namespace {

class MirostatV2 final : public SamplerUnit {
public:
    MirostatV2(double tau, double eta) : tau_(tau), eta_(eta), mu_(2 * tau) {}
    void apply(Candidates &c, SamplerRng &rng) override {
        c.softmax();
        size_t keep = 0;
        while (keep < c.size() && -std::log2(c[keep].p) <= mu_) ++keep;
        mirostat_draw(c, rng, keep, tau_, eta_, mu_);
    }
    void reset() override { mu_ = 2 * tau_; }

private:
    double tau_, eta_, mu_;
};

}  // namespace

extern const SamplerKind kMirostatV2Sampler = {
    "mirostat_v2", "keeps the surprise of the text near tau and draws the token (Mirostat 2.0)",
    {{"tau", 5.0, 0, 1e3, false, "target surprise (cross-entropy, bits)"},
     {"eta", 0.1, 0, 1e3, false, "learning rate of mu"}},
    false, false, true,
    [](const SamplerArgs &a, const SamplerContext &) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<MirostatV2>(a["tau"], a["eta"]);
    }};

}  // namespace lamina
