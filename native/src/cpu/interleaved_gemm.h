// The loop every SIMD variant's interleaved kernels share (ISA-free, header-only): activation
// rows in tiles of up to kTile, each tile passed over every 16-row group. A tile stays in L1
// while the groups (a few, in L2: see matmul.cpp's row blocks) stream past it. Tile<N>::run
// computes N activation rows against one group:
//   static void run(int64_t n_blocks, const Block *group, const void *act, size_t act_stride,
//                   float *out, size_t out_stride);
#pragma once

#include <cstddef>
#include <cstdint>

#include "quant/interleaved.h"

namespace lamina::cpu::detail {
namespace {

// Activation row t of a tile (rows act_stride bytes apart).
inline const quant::ActBlockQ8x32 *act_row(const void *act, size_t act_stride, int t) {
    return reinterpret_cast<const quant::ActBlockQ8x32 *>(static_cast<const char *>(act) + t * act_stride);
}

// Tile<nt>::run for a run-time nt in [1, N].
template <int N, template <int> class Tile, typename Block>
inline void run_tile(int nt, int64_t nb, const Block *w, const void *act, size_t act_stride, float *out,
                     size_t out_stride) {
    if constexpr (N > 1) {
        if (nt < N) {
            run_tile<N - 1, Tile>(nt, nb, w, act, act_stride, out, out_stride);
            return;
        }
    }
    Tile<N>::run(nb, w, act, act_stride, out, out_stride);
}

template <typename Block, int kBlockElems, int kTile, template <int> class Tile>
void interleaved_gemm(int64_t k, const void *groups, size_t group_stride, int64_t n_groups, const void *act,
                      size_t act_stride, int64_t n_act, float *out, size_t out_stride) {
    const int64_t nb = k / kBlockElems;
    for (int64_t t0 = 0; t0 < n_act; t0 += kTile) {
        const int nt = static_cast<int>(n_act - t0 < kTile ? n_act - t0 : kTile);
        const void *a = static_cast<const char *>(act) + t0 * act_stride;
        for (int64_t g = 0; g < n_groups; ++g) {
            const auto *w = reinterpret_cast<const Block *>(static_cast<const char *>(groups) + g * group_stride);
            run_tile<kTile, Tile>(nt, nb, w, a, act_stride, out + t0 * out_stride + g * quant::kInterleave, out_stride);
        }
    }
}

}  // namespace
}  // namespace lamina::cpu::detail
