// Which position of which sequences each cell of a KV cache holds (as llama.cpp's unified
// cache): a cell is empty or holds one position shared by a set of sequences. Forking a prefix
// adds a sequence to the prefix's cells instead of copying their K/V, so a system prompt shared
// by many conversations is stored once. Attention masks by these sets and positions.
#pragma once

#include <cstdint>
#include <vector>

namespace lamina {

// Sequence ids are 0 .. kMaxSequences-1: a cell's sequences are one 64-bit set.
constexpr int32_t kMaxSequences = 64;

inline uint64_t sequence_bit(int32_t seq) { return uint64_t{1} << seq; }

class KvCells {
public:
    explicit KvCells(int32_t n_cells);

    int32_t size() const { return static_cast<int32_t>(pos_.size()); }
    int32_t n_free() const { return size() - n_used_; }
    // One past the highest occupied cell: attention never looks beyond it.
    int32_t extent() const;
    // Per cell: the position held (-1 when empty) and the set of sequences holding it.
    const int32_t *positions() const { return pos_.data(); }
    const uint64_t *sequences() const { return seqs_.data(); }

    // The largest / smallest position of `seq`, -1 when it holds none.
    int32_t pos_max(int32_t seq) const;
    int32_t pos_min(int32_t seq) const;
    // pos_max of every sequence in one pass over the cells (index = sequence id).
    void pos_max_all(std::vector<int32_t> &out) const;

    // Takes the lowest free cell for position `pos` of `seq`; the caller has checked n_free().
    int32_t occupy(int32_t pos, int32_t seq);
    // Empties a cell (undoing occupy after a failed evaluation).
    void release(int32_t cell);

    // Drops `seq` (every sequence when seq < 0) from the cells holding positions in [p0, p1);
    // p1 < 0 means to the end. A cell no sequence holds any longer is free again.
    void remove(int32_t seq, int32_t p0, int32_t p1);
    // Adds `dst` to every cell of `src` holding a position in [p0, p1) (p1 < 0: to the end).
    void copy(int32_t src, int32_t dst, int32_t p0, int32_t p1);
    // Drops every sequence but `seq`.
    void keep(int32_t seq);
    // Empties every cell, then (restoring a saved state) gives one cell its position and set.
    void clear();
    void restore(int32_t cell, int32_t pos, uint64_t seqs);

private:
    std::vector<int32_t> pos_;
    std::vector<uint64_t> seqs_;
    int32_t n_used_ = 0;
    int32_t search_from_ = 0;  // every cell below it is occupied
};

}  // namespace lamina
