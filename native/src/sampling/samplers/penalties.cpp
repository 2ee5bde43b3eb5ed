// Repetition, frequency and presence penalties over the last n tokens accepted (prompt and
// output), by llama.cpp's rule: a seen token's logit is divided by `repeat` when positive and
// multiplied by it when not, then lowered by count * frequency + presence.
#include <vector>

#include "sampling/sampler_unit.h"

namespace lamina {
namespace {

class Penalties final : public SamplerUnit {
public:
    Penalties(size_t last_n, double repeat, double frequency, double presence)
        : last_n_(last_n), repeat_(repeat), frequency_(frequency), presence_(presence), window_(last_n) {}

    void accept(lm_token token) override {
        if (last_n_ == 0 || token < 0) return;
        if (static_cast<size_t>(token) >= counts_.size()) counts_.resize(static_cast<size_t>(token) + 1, 0);
        if (held_ == last_n_) {
            --counts_[static_cast<size_t>(window_[next_])];
        } else {
            ++held_;
        }
        window_[next_] = token;
        next_ = (next_ + 1) % last_n_;
        ++counts_[static_cast<size_t>(token)];
    }

    void reset() override {
        std::fill(counts_.begin(), counts_.end(), 0);
        held_ = next_ = 0;
    }

    void apply(Candidates &c, SamplerRng &) override {
        if (held_ == 0 || (repeat_ == 1.0 && frequency_ == 0.0 && presence_ == 0.0)) return;
        for (Candidate &x : c) {
            if (static_cast<size_t>(x.id) >= counts_.size()) continue;
            const int32_t n = counts_[static_cast<size_t>(x.id)];
            if (n == 0) continue;
            x.logit = static_cast<float>(x.logit <= 0 ? x.logit * repeat_ : x.logit / repeat_);
            x.logit -= static_cast<float>(n * frequency_ + presence_);
        }
        c.set_sorted(false);
    }

private:
    size_t last_n_;
    double repeat_, frequency_, presence_;
    std::vector<lm_token> window_;  // ring buffer of the last last_n_ tokens
    size_t held_ = 0, next_ = 0;
    std::vector<int32_t> counts_;  // per token id, over the window
};

}  // namespace

extern const SamplerKind kPenaltiesSampler = {
    "penalties", "repetition, frequency and presence penalties over the last n tokens",
    {{"last_n", 64, 0, 1 << 24, true, "how many recent tokens (prompt and output) count; 0 = off"},
     {"repeat", 1.0, 1e-6, 1e6, false, "repetition penalty; 1 = off"},
     {"frequency", 0.0, -1e6, 1e6, false, "subtracted per occurrence; 0 = off"},
     {"presence", 0.0, -1e6, 1e6, false, "subtracted once for a token that occurred; 0 = off"}},
    false, false, false,
    [](const SamplerArgs &a, const SamplerContext &) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<Penalties>(static_cast<size_t>(a["last_n"]), a["repeat"], a["frequency"],
                                           a["presence"]);
    }};

}  // namespace lamina
