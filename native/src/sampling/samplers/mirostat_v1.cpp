// Mirostat 1.0 (Basu et al.): estimates the Zipf exponent s of the distribution from its m most
// likely tokens, keeps the top k that make the expected surprise mu, draws from them and moves
// mu by eta times the error. Selects the token itself (it ends a chain). As llama.cpp's
// llama_sampler_mirostat.
#include <algorithm>
#include <cmath>

#include "sampling/sampler_unit.h"
#include "sampling/samplers/mirostat_feedback.h"

namespace lamina {
namespace {

class MirostatV1 final : public SamplerUnit {
public:
    MirostatV1(int32_t n_vocab, double tau, double eta, int m) : n_vocab_(n_vocab), tau_(tau), eta_(eta), m_(m), mu_(2 * tau) {}
    void apply(Candidates &c, SamplerRng &rng) override {
        c.softmax();
        double sum_ti_bi = 0, sum_ti_sq = 0;
        for (size_t i = 0; i + 1 < static_cast<size_t>(m_) && i + 1 < c.size(); ++i) {
            const double t_i = std::log(double(i + 2) / double(i + 1));
            const double b_i = std::log(double(c[i].p) / double(c[i + 1].p));
            sum_ti_bi += t_i * b_i;
            sum_ti_sq += t_i * t_i;
        }
        const double s_hat = sum_ti_sq > 0 ? sum_ti_bi / sum_ti_sq : 1;
        const double epsilon_hat = s_hat - 1;
        // N is the vocabulary: the model's, else (a chain made without one) the logits given.
        const double n = n_vocab_ > 0 ? double(n_vocab_) : double(c.size());
        const double k = std::pow(epsilon_hat * std::pow(2.0, mu_) / (1 - std::pow(n, -epsilon_hat)), 1 / s_hat);
        // k is NaN or huge for flat distributions: keep everything then, as the int cast in
        // llama.cpp saturates.
        const size_t keep = std::isfinite(k) && k < double(c.size()) ? std::max<size_t>(size_t(k), 1) : c.size();
        mirostat_draw(c, rng, keep, tau_, eta_, mu_);
    }
    void reset() override { mu_ = 2 * tau_; }

private:
    int32_t n_vocab_;
    double tau_, eta_;
    int m_;
    double mu_;
};

}  // namespace

extern const SamplerKind kMirostatV1Sampler = {
    "mirostat", "keeps the surprise of the text near tau, top k from a Zipf estimate, and draws the token (Mirostat 1.0)",
    {{"tau", 5.0, 0, 1e3, false, "target surprise (cross-entropy, bits)"},
     {"eta", 0.1, 0, 1e3, false, "learning rate of mu"},
     {"m", 100, 2, 1e6, true, "tokens the Zipf exponent is estimated from"}},
    false, false, true,
    [](const SamplerArgs &a, const SamplerContext &ctx) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<MirostatV1>(ctx.n_vocab, a["tau"], a["eta"], static_cast<int>(a["m"]));
    }};

}  // namespace lamina
