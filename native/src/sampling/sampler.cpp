#include "sampling/sampler.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"

namespace lamina {
namespace {

uint64_t splitmix64(uint64_t &state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace

Sampler::Sampler(const lm_sampler_params &p) : params_(p), state_(p.seed) {
    if (!std::isfinite(p.temperature)) fail(LM_ERR_INVALID_ARGUMENT, "temperature must be a finite number");
    if (std::isnan(p.top_p) || p.top_p <= 0) {
        fail(LM_ERR_INVALID_ARGUMENT, "top_p = " + std::to_string(p.top_p) + " must be in (0, 1] (1 = off)");
    }
    if (std::isnan(p.min_p) || p.min_p >= 1) {
        fail(LM_ERR_INVALID_ARGUMENT, "min_p = " + std::to_string(p.min_p) + " must be below 1 (0 = off)");
    }
    if (!(p.repeat_penalty > 0) || !std::isfinite(p.repeat_penalty)) {
        fail(LM_ERR_INVALID_ARGUMENT, "repeat_penalty = " + std::to_string(p.repeat_penalty) + " must be positive (1 = off)");
    }
    if (p.repeat_last_n < 0) {
        fail(LM_ERR_INVALID_ARGUMENT, "repeat_last_n = " + std::to_string(p.repeat_last_n) + " is negative");
    }
}

double Sampler::next_uniform() { return static_cast<double>(splitmix64(state_) >> 11) * 0x1.0p-53; }

void Sampler::accept(lm_token token) {
    if (params_.repeat_last_n == 0) return;
    history_.push_back(token);
    while (history_.size() > static_cast<size_t>(params_.repeat_last_n)) history_.pop_front();
}

void Sampler::reset() {
    history_.clear();
    state_ = params_.seed;
}

lm_token Sampler::sample(const float *logits, int32_t n_vocab) {
    if (logits == nullptr || n_vocab <= 0) {
        fail(LM_ERR_INVALID_ARGUMENT, "sample needs logits and n_vocab > 0");
    }
    candidates_.resize(n_vocab);
    for (int32_t i = 0; i < n_vocab; ++i) candidates_[i] = {logits[i], i};
    if (params_.repeat_penalty != 1.0f) {
        // llama.cpp's rule: divide positive logits, multiply negative ones, once per token.
        std::vector<lm_token> seen(history_.begin(), history_.end());
        std::sort(seen.begin(), seen.end());
        seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
        for (lm_token t : seen) {
            if (t < 0 || t >= n_vocab) continue;
            float &l = candidates_[t].first;
            l = l > 0 ? l / params_.repeat_penalty : l * params_.repeat_penalty;
        }
    }
    auto by_logit = [](const std::pair<float, lm_token> &a, const std::pair<float, lm_token> &b) {
        return a.first > b.first || (a.first == b.first && a.second < b.second);
    };
    if (params_.temperature <= 0) {
        return std::min_element(candidates_.begin(), candidates_.end(), by_logit)->second;
    }

    size_t n = candidates_.size();
    if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < n) {
        std::partial_sort(candidates_.begin(), candidates_.begin() + params_.top_k, candidates_.end(), by_logit);
        n = params_.top_k;
    } else {
        std::sort(candidates_.begin(), candidates_.end(), by_logit);
    }
    // Softmax over the survivors at the requested temperature.
    std::vector<double> probs(n);
    const double max = candidates_[0].first;
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
        probs[i] = std::exp((candidates_[i].first - max) / params_.temperature);
        sum += probs[i];
    }
    for (double &p : probs) p /= sum;
    if (params_.min_p > 0) {
        const double floor = probs[0] * params_.min_p;
        size_t keep = 1;
        while (keep < n && probs[keep] >= floor) ++keep;
        n = keep;
    }
    if (params_.top_p < 1) {
        double cumulative = 0;
        size_t keep = 0;
        while (keep < n) {
            cumulative += probs[keep++];
            if (cumulative >= params_.top_p) break;
        }
        n = keep;
    }
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += probs[i];
    double r = next_uniform() * total;
    for (size_t i = 0; i < n; ++i) {
        r -= probs[i];
        if (r < 0) return candidates_[i].second;
    }
    return candidates_[n - 1].second;
}

}  // namespace lamina
