// Divides the logits by the temperature; t = 0 keeps only the most likely token. With range > 0
// the temperature is dynamic (entropy-based, llama.cpp's temp_ext): between t - range and
// t + range, higher when the distribution is flat.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sampling/sampler_unit.h"

namespace lamina {
namespace {

void divide(Candidates &c, double t) {
    for (Candidate &x : c) x.logit = static_cast<float>(x.logit / t);
}

class Temperature final : public SamplerUnit {
public:
    Temperature(double t, double range, double exponent) : t_(t), range_(range), exponent_(exponent) {}
    void apply(Candidates &c, SamplerRng &) override {
        if (c.size() == 0) return;
        if (t_ <= 0) {
            size_t best = 0;
            for (size_t i = 1; i < c.size(); ++i) {
                if (c[i].logit > c[best].logit || (c[i].logit == c[best].logit && c[i].id < c[best].id)) best = i;
            }
            for (size_t i = 0; i < c.size(); ++i) {
                if (i != best) c[i].logit = -std::numeric_limits<float>::infinity();
            }
            return;
        }
        if (range_ <= 0 || c.size() < 2) {
            divide(c, t_);
            return;
        }
        const double lo = std::max(0.0, t_ - range_), hi = t_ + range_;
        c.softmax();
        double entropy = 0;
        for (const Candidate &x : c) {
            if (x.p > 0) entropy -= x.p * std::log(x.p);
        }
        const double normalized = entropy / std::log(static_cast<double>(c.size()));
        const double t = lo + (hi - lo) * std::pow(normalized, exponent_);
        if (t <= 0) {
            c.truncate(1);  // sorted by softmax(): the most likely token
            return;
        }
        divide(c, t);
    }

private:
    double t_, range_, exponent_;
};

}  // namespace

extern const SamplerKind kTemperatureSampler = {
    "temperature", "divides the logits by the temperature (dynamic with range > 0)",
    {{"t", 0.8, 0, 1e6, false, "temperature; 0 = only the most likely token"},
     {"range", 0.0, 0, 1e6, false, "dynamic temperature: t - range .. t + range by entropy; 0 = off"},
     {"exponent", 1.0, 0, 1e6, false, "dynamic temperature: how entropy maps into the range"}},
    false, false, false,
    [](const SamplerArgs &a, const SamplerContext &) -> std::unique_ptr<SamplerUnit> {
        return std::make_unique<Temperature>(a["t"], a["range"], a["exponent"]);
    }};

}  // namespace lamina
