#include "runtime/kv_cells.h"

#include <algorithm>

namespace lamina {

KvCells::KvCells(int32_t n_cells) : pos_(static_cast<size_t>(std::max(n_cells, 0)), -1), seqs_(pos_.size(), 0) {}

int32_t KvCells::extent() const {
    for (int32_t c = size(); c > 0; --c) {
        if (seqs_[c - 1] != 0) return c;
    }
    return 0;
}

int32_t KvCells::pos_max(int32_t seq) const {
    const uint64_t bit = sequence_bit(seq);
    int32_t m = -1;
    for (int32_t c = 0; c < size(); ++c) {
        if (seqs_[c] & bit) m = std::max(m, pos_[c]);
    }
    return m;
}

int32_t KvCells::pos_min(int32_t seq) const {
    const uint64_t bit = sequence_bit(seq);
    int32_t m = -1;
    for (int32_t c = 0; c < size(); ++c) {
        if ((seqs_[c] & bit) && (m < 0 || pos_[c] < m)) m = pos_[c];
    }
    return m;
}

void KvCells::pos_max_all(std::vector<int32_t> &out) const {
    out.assign(kMaxSequences, -1);
    for (int32_t c = 0; c < size(); ++c) {
        for (uint64_t s = seqs_[c]; s != 0; s &= s - 1) {
            int32_t &m = out[__builtin_ctzll(s)];
            m = std::max(m, pos_[c]);
        }
    }
}

int32_t KvCells::occupy(int32_t pos, int32_t seq) {
    int32_t c = search_from_;
    while (seqs_[c] != 0) ++c;  // a free cell exists: the caller checked n_free()
    pos_[c] = pos;
    seqs_[c] = sequence_bit(seq);
    ++n_used_;
    search_from_ = c + 1;
    return c;
}

void KvCells::release(int32_t cell) {
    if (seqs_[cell] == 0) return;
    seqs_[cell] = 0;
    pos_[cell] = -1;
    --n_used_;
    search_from_ = std::min(search_from_, cell);
}

void KvCells::remove(int32_t seq, int32_t p0, int32_t p1) {
    const uint64_t drop = seq < 0 ? ~uint64_t{0} : sequence_bit(seq);
    for (int32_t c = 0; c < size(); ++c) {
        if (seqs_[c] == 0 || pos_[c] < p0 || (p1 >= 0 && pos_[c] >= p1)) continue;
        seqs_[c] &= ~drop;
        if (seqs_[c] == 0) {
            seqs_[c] = 1;  // release() frees occupied cells only
            release(c);
        }
    }
}

void KvCells::copy(int32_t src, int32_t dst, int32_t p0, int32_t p1) {
    const uint64_t from = sequence_bit(src), to = sequence_bit(dst);
    for (int32_t c = 0; c < size(); ++c) {
        if ((seqs_[c] & from) && pos_[c] >= p0 && (p1 < 0 || pos_[c] < p1)) seqs_[c] |= to;
    }
}

void KvCells::keep(int32_t seq) {
    const uint64_t bit = sequence_bit(seq);
    for (int32_t c = 0; c < size(); ++c) {
        if (seqs_[c] == 0) continue;
        if (seqs_[c] & bit) {
            seqs_[c] = bit;
        } else {
            release(c);
        }
    }
}

void KvCells::clear() {
    std::fill(pos_.begin(), pos_.end(), -1);
    std::fill(seqs_.begin(), seqs_.end(), 0);
    n_used_ = 0;
    search_from_ = 0;
}

void KvCells::restore(int32_t cell, int32_t pos, uint64_t seqs) {
    if (seqs_[cell] == 0 && seqs != 0) ++n_used_;
    pos_[cell] = pos;
    seqs_[cell] = seqs;
    while (search_from_ < size() && seqs_[search_from_] != 0) ++search_from_;
}

}  // namespace lamina
