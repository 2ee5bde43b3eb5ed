// Locally typical sampling: keeps the tokens whose surprise is closest to the distribution's
// entropy until their probabilities add up to p (Meister et al.; llama.cpp's typical sampler).
#include <algorithm>
#include <cmath>
#include <vector>

#include "sampling/sampler_unit.h"

namespace lamina {
namespace {

class TypicalP final : public SamplerUnit {
public:
    TypicalP(double p, size_t min_keep) : p_(p), min_keep_(min_keep) {}
    void apply(Candidates &c, SamplerRng &) override {
        if (p_ >= 1.0 || c.size() < 2) return;
        c.softmax();
        double entropy = 0;
        for (const Candidate &t : c) {
            if (t.p > 0) entropy -= t.p * std::log(t.p);
        }
        // Sort by |surprise - entropy|, ascending; the scratch order vector is reused.
        order_.resize(c.size());
        for (size_t i = 0; i < c.size(); ++i) order_[i] = {std::fabs(-std::log(c[i].p) - entropy), i};
        std::stable_sort(order_.begin(), order_.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
        double cumulative = 0;
        size_t keep = order_.size();
        for (size_t i = 0; i < order_.size(); ++i) {
            cumulative += c[order_[i].second].p;
            if (cumulative > p_ && i + 1 >= min_keep_) {
                keep = i + 1;
                break;
            }
        }
        picked_.resize(keep);
        for (size_t i = 0; i < keep; ++i) picked_[i] = c[order_[i].second];
        for (size_t i = 0; i < keep; ++i) c[i] = picked_[i];
        c.truncate(keep);
        c.set_sorted(false);
    }

private:
    double p_;
    size_t min_keep_;
    std::vector<std::pair<double, size_t>> order_;
    std::vector<Candidate> picked_;
};

}  // namespace

extern const SamplerKind kTypicalPSampler = {
    "typical", "keeps the tokens whose surprise is closest to the entropy, up to probability p",
    {{"p", 1.0, 0, 1, false, "probability mass to keep; 1 = off"},
     {"min_keep", 1, 1, 1 << 30, true, "keep at least this many tokens"}},
    false, false, false,
    [](const SamplerArgs &a, const SamplerContext &) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<TypicalP>(a["p"], static_cast<size_t>(a["min_keep"]));
    }};

}  // namespace lamina
