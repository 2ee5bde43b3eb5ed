// DRY ("don't repeat yourself", from koboldcpp, as llama.cpp runs it): a token that would extend
// a sequence already repeated in the last n tokens by at least allowed_length is penalised by
// multiplier * base^(length - allowed_length). Sequence breakers (newline, ':', '"', '*' by
// default, or the quoted strings given) end a repeat: no repeat reaches back past the most
// recent token containing one, and breaker tokens are never penalised. Needs the model's
// vocabulary for the breakers.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"
#include "sampling/sampler_unit.h"
#include "tokenizer/tokenizer.h"

namespace lamina {
namespace {

class Dry final : public SamplerUnit {
public:
    Dry(double multiplier, double base, int32_t allowed_length, size_t capacity, std::vector<bool> breaker)
        : multiplier_(multiplier),
          base_(base),
          allowed_length_(allowed_length),
          breaker_(std::move(breaker)),
          window_(capacity) {}

    void accept(lm_token token) override {
        if (multiplier_ == 0 || window_.empty()) return;
        window_[next_] = token;
        next_ = (next_ + 1) % window_.size();
        held_ = std::min(held_ + 1, window_.size());
    }

    void reset() override { held_ = next_ = 0; }

    void apply(Candidates &c, SamplerRng &) override {
        const size_t n = held_;
        if (multiplier_ == 0 || n <= static_cast<size_t>(allowed_length_)) return;
        // r[i]: the i-th most recent token.
        recent_.resize(n);
        for (size_t i = 0; i < n; ++i) recent_[i] = window_[(next_ + window_.size() - 1 - i) % window_.size()];
        // A repeat cannot reach back past the most recent breaker.
        size_t limit = n;
        for (size_t i = 0; i < n; ++i) {
            if (is_breaker(recent_[i])) {
                limit = i;
                break;
            }
        }
        if (limit < static_cast<size_t>(allowed_length_)) return;
        // z[k]: how many of the most recent tokens also occur ending k tokens earlier (Z-algorithm
        // over the reversed window, linear time).
        z_.assign(n, 0);
        for (size_t k = 1, lt = 0, rt = 0; k < n; ++k) {
            size_t len = 0;
            if (k < rt) len = std::min(rt - k, z_[k - lt]);
            while (k + len < n && recent_[len] == recent_[k + len]) ++len;
            z_[k] = len;
            if (k + len > rt) lt = k, rt = k + len;
        }
        // The token after each repeat (recent_[k - 1]) would extend it.
        longest_.clear();
        for (size_t k = 1; k < n; ++k) {
            const size_t len = std::min(z_[k], limit);
            if (len < static_cast<size_t>(allowed_length_)) continue;
            const lm_token next = recent_[k - 1];
            bool found = false;
            for (auto &[token, best] : longest_) {
                if (token == next) {
                    best = std::max(best, len);
                    found = true;
                }
            }
            if (!found) longest_.emplace_back(next, len);
        }
        if (longest_.empty()) return;
        // base^exponent stays a finite float.
        const double max_exponent = base_ > 1.000001 ? 88.7228391 / std::log(base_) : 0;
        for (Candidate &x : c) {
            if (is_breaker(x.id)) continue;
            for (const auto &[token, len] : longest_) {
                if (token != x.id) continue;
                const double exponent = std::min(static_cast<double>(len) - allowed_length_, max_exponent);
                x.logit -= static_cast<float>(multiplier_ * std::pow(base_, exponent));
            }
        }
        c.set_sorted(false);
    }

private:
    bool is_breaker(lm_token t) const { return t >= 0 && static_cast<size_t>(t) < breaker_.size() && breaker_[t]; }

    double multiplier_, base_;
    int32_t allowed_length_;
    std::vector<bool> breaker_;  // per token id: its text contains a sequence breaker
    std::vector<lm_token> window_;
    size_t held_ = 0, next_ = 0;
    std::vector<lm_token> recent_;
    std::vector<size_t> z_;
    std::vector<std::pair<lm_token, size_t>> longest_;
};

std::unique_ptr<SamplerUnit> make(const SamplerArgs &a, const SamplerContext &context) {
    const double multiplier = a["multiplier"];
    std::vector<std::string> breakers = a.strings;
    if (breakers.empty()) breakers = {"\n", ":", "\"", "*"};
    for (const std::string &b : breakers) {
        if (b.empty()) fail(LM_ERR_INVALID_ARGUMENT, "dry: a sequence breaker is empty");
    }
    std::vector<bool> breaker;
    if (multiplier != 0) {
        if (context.tokenizer == nullptr) {
            fail(LM_ERR_INVALID_ARGUMENT, "dry needs the model's vocabulary for its sequence breakers: make the "
                                          "sampler chain with a model");
        }
        breaker.assign(static_cast<size_t>(context.n_vocab), false);
        for (int32_t t = 0; t < context.n_vocab; ++t) {
            const std::string piece = context.tokenizer->piece(t, true);
            for (const std::string &b : breakers) {
                if (piece.find(b) != std::string::npos) breaker[static_cast<size_t>(t)] = true;
            }
        }
    }
    const double last_n = a["last_n"];
    const size_t capacity = last_n >= 0 ? static_cast<size_t>(last_n)
                                        : static_cast<size_t>(context.n_ctx_train > 0 ? context.n_ctx_train : 4096);
    return std::make_unique<Dry>(multiplier, a["base"], static_cast<int32_t>(a["allowed_length"]),
                                 multiplier == 0 ? 0 : capacity, std::move(breaker));
}

}  // namespace

extern const SamplerKind kDrySampler = {
    "dry", "penalises tokens that would extend a repeated sequence (\"quoted\" items: sequence breakers)",
    {{"multiplier", 0.0, 0, 1e6, false, "penalty scale; 0 = off"},
     {"base", 1.75, 1, 1e6, false, "penalty growth per token beyond allowed_length"},
     {"allowed_length", 2, 0, 1 << 20, true, "repeats this long go unpenalised"},
     {"last_n", -1, -1, 1 << 24, true, "how many recent tokens to scan; -1 = the model's context length"}},
    false, true, false, make};

}  // namespace lamina
