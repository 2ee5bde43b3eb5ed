// Keeps the k most likely tokens (k = 0: all).
#include <algorithm>

#include "sampling/sampler_unit.h"

namespace lamina {
namespace {

class TopK final : public SamplerUnit {
public:
    explicit TopK(size_t k) : k_(k) {}
    void apply(Candidates &c, SamplerRng &) override {
        if (k_ == 0 || k_ >= c.size()) return;
        if (!c.sorted()) {
            std::partial_sort(c.begin(), c.begin() + k_, c.end(), [](const Candidate &a, const Candidate &b) {
                return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
            });
        }
        c.truncate(k_);
        c.set_sorted(true);
    }

private:
    size_t k_;
};

}  // namespace

extern const SamplerKind kTopKSampler = {
    "top_k", "keeps the k most likely tokens",
    {{"k", 40, 0, 1 << 30, true, "how many tokens to keep; 0 = all"}}, false, false, false,
    [](const SamplerArgs &a, const SamplerContext &) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<TopK>(static_cast<size_t>(a["k"]));
    }};

}  // namespace lamina
