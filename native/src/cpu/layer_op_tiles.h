// The loops of the SIMD layer operations, shared by every ISA file: each file supplies its
// fixed-width pieces (rotate so many pairs, apply silu*up to one vector) and these run them over
// whole rows. Tails go through zero-padded copies, so the same instructions compute every value
// and a row's last elements round exactly as its first ones do.
#pragma once

#include <cstdint>

#include "model/hparams.h"

namespace lamina::cpu::detail {
// Internal linkage: each ISA file's instantiations are compiled with its own instruction set and
// must never be merged with another file's (see check_isa_objects.sh).
namespace {

// Rotates the first n_rot values of each of n_heads heads. adjacent(v, c, s) rotates kAdjacent
// pairs (v[2j], v[2j+1]) by angles c[j]/s[j]; split(a, b, c, s) rotates kSplit pairs (a[j], b[j])
// (the NeoX layout, pair halves n_rot/2 apart).
template <int kAdjacent, int kSplit, class Adjacent, class Split>
inline void rope_rotate_tiles(float *x, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float *cos_table,
                              const float *sin_table, RopeLayout layout, Adjacent adjacent, Split split) {
    const int32_t half = n_rot / 2;
    for (int32_t h = 0; h < n_heads; ++h) {
        float *v = x + static_cast<int64_t>(h) * head_dim;
        int32_t i = 0;
        if (layout == RopeLayout::Adjacent) {
            for (; i + kAdjacent <= half; i += kAdjacent) adjacent(v + 2 * i, cos_table + i, sin_table + i);
            if (i == half) continue;
            float pv[2 * kAdjacent] = {}, pc[kAdjacent] = {}, ps[kAdjacent] = {};
            for (int32_t j = 0; i + j < half; ++j) {
                pv[2 * j] = v[2 * (i + j)], pv[2 * j + 1] = v[2 * (i + j) + 1];
                pc[j] = cos_table[i + j], ps[j] = sin_table[i + j];
            }
            adjacent(pv, pc, ps);
            for (int32_t j = 0; i + j < half; ++j) v[2 * (i + j)] = pv[2 * j], v[2 * (i + j) + 1] = pv[2 * j + 1];
        } else {
            for (; i + kSplit <= half; i += kSplit) split(v + i, v + half + i, cos_table + i, sin_table + i);
            if (i == half) continue;
            float pa[kSplit] = {}, pb[kSplit] = {}, pc[kSplit] = {}, ps[kSplit] = {};
            for (int32_t j = 0; i + j < half; ++j) {
                pa[j] = v[i + j], pb[j] = v[half + i + j], pc[j] = cos_table[i + j], ps[j] = sin_table[i + j];
            }
            split(pa, pb, pc, ps);
            for (int32_t j = 0; i + j < half; ++j) v[i + j] = pa[j], v[half + i + j] = pb[j];
        }
    }
}

// out[i] = silu(gate[i]) * up[i]; piece(gate, up, out) computes kWidth of them.
template <int kWidth, class Piece>
inline void swiglu_tiles(const float *gate, const float *up, float *out, int64_t n, Piece piece) {
    int64_t i = 0;
    for (; i + kWidth <= n; i += kWidth) piece(gate + i, up + i, out + i);
    if (i == n) return;
    float pg[kWidth] = {}, pu[kWidth] = {};
    for (int64_t j = 0; i + j < n; ++j) pg[j] = gate[i + j], pu[j] = up[i + j];
    piece(pg, pu, pg);
    for (int64_t j = 0; i + j < n; ++j) out[i + j] = pg[j];
}

}  // namespace
}  // namespace lamina::cpu::detail
