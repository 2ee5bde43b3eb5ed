// The tokens a sampler chain is choosing among: every vocabulary entry with its logit, filtered
// and reweighted by each sampler in turn (as llama.cpp's llama_token_data_array). Its storage is
// kept between tokens, so sampling allocates nothing once the first token has been drawn.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lamina.h"

namespace lamina {

struct Candidate {
    lm_token id;
    float logit;
    float p;  // valid after softmax()
};

class Candidates {
public:
    // Every token of n_vocab logits, unsorted, nothing selected.
    void reset(const float *logits, int32_t n_vocab);

    size_t size() const { return size_; }
    Candidate &operator[](size_t i) { return items_[i]; }
    const Candidate &operator[](size_t i) const { return items_[i]; }
    Candidate *begin() { return items_.data(); }
    Candidate *end() { return items_.data() + size_; }

    // Keeps the first n (n <= size()).
    void truncate(size_t n) { size_ = n < size_ ? n : size_; }
    // Drops the first n, keeping the order of the rest.
    void drop_front(size_t n);
    // Sorted by logit, highest first (ties by token id), when a sampler has made it so.
    bool sorted() const { return sorted_; }
    void set_sorted(bool sorted) { sorted_ = sorted; }
    // Sorts (unless sorted) and sets p to the softmax of the logits.
    void softmax();
    void sort_by_logit();

    // The index a selecting sampler (greedy, distribution, mirostat) chose; -1 before.
    int64_t selected() const { return selected_; }
    void select(int64_t index) { selected_ = index; }

private:
    std::vector<Candidate> items_;
    size_t size_ = 0;
    bool sorted_ = false;
    int64_t selected_ = -1;
};

// The chain's random numbers: splitmix64, so a seed gives the same draws on every platform and
// build (no implementation-defined std distributions).
class SamplerRng {
public:
    explicit SamplerRng(uint64_t seed) : seed_(seed), state_(seed) {}
    double uniform();  // [0, 1)
    void reset() { state_ = seed_; }
    uint64_t seed() const { return seed_; }

private:
    uint64_t seed_, state_;
};

// Draws an index of the first c.size() candidates in proportion to their p.
size_t draw(const Candidates &c, SamplerRng &rng);

}  // namespace lamina
