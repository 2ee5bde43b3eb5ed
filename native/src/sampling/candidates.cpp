#include "sampling/candidates.h"

#include <algorithm>
#include <cmath>

namespace lamina {

void Candidates::reset(const float *logits, int32_t n_vocab) {
    if (items_.size() < static_cast<size_t>(n_vocab)) items_.resize(n_vocab);
    for (int32_t i = 0; i < n_vocab; ++i) items_[i] = Candidate{i, logits[i], 0.0f};
    size_ = static_cast<size_t>(n_vocab);
    sorted_ = false;
    selected_ = -1;
}

void Candidates::drop_front(size_t n) {
    n = std::min(n, size_);
    std::move(items_.begin() + static_cast<std::ptrdiff_t>(n), items_.begin() + static_cast<std::ptrdiff_t>(size_),
              items_.begin());
    size_ -= n;
}

void Candidates::sort_by_logit() {
    if (sorted_) return;
    std::sort(begin(), end(), [](const Candidate &a, const Candidate &b) {
        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
    });
    sorted_ = true;
}

void Candidates::softmax() {
    sort_by_logit();
    if (size_ == 0) return;
    const float max = items_[0].logit;
    double sum = 0;
    for (Candidate &c : *this) sum += c.p = std::exp(c.logit - max);
    for (Candidate &c : *this) c.p = static_cast<float>(c.p / sum);
}

double SamplerRng::uniform() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
}

size_t draw(const Candidates &c, SamplerRng &rng) {
    double total = 0;
    for (size_t i = 0; i < c.size(); ++i) total += c[i].p;
    double r = rng.uniform() * total;
    for (size_t i = 0; i < c.size(); ++i) {
        r -= c[i].p;
        if (r < 0) return i;
    }
    return c.size() - 1;
}

}  // namespace lamina
