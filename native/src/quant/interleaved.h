// Interleaved-row layouts: 16 rows of a Q4_0 or Q4_K matrix repacked block by block so that one
// 512-bit register holds the same 4 consecutive weights of all 16 rows (row r in 32-bit lane r).
// A kernel then broadcasts 4 activation bytes and multiplies them with 16 rows in one
// instruction (VPDPBUSD), with no per-block shuffles, and one activation load serves 16 rows.
// This is what makes prompt processing compute-efficient (ggml's "repack" buffers and
// ik_llama.cpp's _r4/_r8 types do the same). Repacking happens once, at model load.
//
// A group is 16 consecutive rows; its blocks follow each other along the row (k), and a group
// takes exactly 16 rows' bytes of the file's layout (Q4_0, Q8_0, Q6_K) or 64 bytes a block more
// (Q4_K 1/36, Q5_K 1/44) (Q4_K, whose 6-bit
// scales are stored unpacked), so group g of a matrix starts at g * group_bytes(k).
#pragma once

#include <cstddef>
#include <cstdint>

#include "quant/blocks.h"
#include "quant/ggml_type.h"

namespace lamina::quant {

constexpr int kInterleave = 16;  // rows per group

// 16 Q4_0 blocks (the same 32 columns of 16 rows). qs[64 i + 4 r + b] is byte 4 i + b of row
// r's block (i in 0..3, b in 0..3): its low nibble is element 4 i + b, its high nibble element
// 16 + 4 i + b, both biased by 8 as in Q4_0.
struct BlockQ4_0x16 {
    uint16_t d[kInterleave];
    uint8_t qs[kInterleave * kQK32 / 2];
};

// 16 Q8_0 blocks, the quants stored offset by 128 as unsigned bytes (q + 128 in [1, 255]) so
// they can be VPDPBUSD's unsigned operand: qs[64 i + 4 r + b] = row r's qs[4 i + b] + 128
// (i in 0..7).
struct BlockQ8_0x16 {
    uint16_t d[kInterleave];
    uint8_t qs[kInterleave * kQK32];
};

// 16 Q6_K super-blocks: x = d[r] * scales[j][r] * (q - 32) for element 16 j + l of row r, q in
// [0, 63]. Q6_K's 128 bytes of low nibbles (ql) and 64 bytes of high bit pairs (qh) are each
// interleaved like Q4_0's quants: byte 4 i + b of row r's ql is ql[64 i + 4 r + b] (i in
// 0..31), of its qh, qh[64 i + 4 r + b] (i in 0..15); the bit placement within bytes is Q6_K's
// (see BlockQ6_K).
struct BlockQ6_Kx16 {
    uint16_t d[kInterleave];
    int8_t scales[kQK_K / 16][kInterleave];
    uint8_t ql[kInterleave * kQK_K / 2];
    uint8_t qh[kInterleave * kQK_K / 4];
};

// 16 Q4_K super-blocks (the same 256 columns of 16 rows), scales unpacked to one byte each:
// x = d[r] * sc[s][r] * q - dmin[r] * mn[s][r] for element 32 s + l of row r. The quants keep
// Q4_K's chunks of 64 elements: qs[512 c + 64 i + 4 r + b] is byte 32 c + 4 i + b of row r
// (i in 0..7), low nibble element 64 c + 4 i + b (sub-block 2c), high nibble element
// 64 c + 32 + 4 i + b (sub-block 2c + 1).
struct BlockQ4_Kx16 {
    uint16_t d[kInterleave];
    uint16_t dmin[kInterleave];
    uint8_t sc[kQK_K / 32][kInterleave];
    uint8_t mn[kQK_K / 32][kInterleave];
    uint8_t qs[kInterleave * kQK_K / 2];
};

static_assert(sizeof(BlockQ4_0x16) == 16 * sizeof(BlockQ4_0), "Q4_0x16 takes 16 Q4_0 blocks' bytes");
// 16 Q5_K super-blocks: Q4_Kx16 plus the 5th bits. Bit s of qh[64 i + 4 r + b] is the 5th bit
// of element 32 s + 4 i + b of row r (Q5_K's qh byte 4 i + b, interleaved like the quants).
struct BlockQ5_Kx16 {
    uint16_t d[kInterleave];
    uint16_t dmin[kInterleave];
    uint8_t sc[kQK_K / 32][kInterleave];
    uint8_t mn[kQK_K / 32][kInterleave];
    uint8_t qs[kInterleave * kQK_K / 2];
    uint8_t qh[kInterleave * kQK_K / 8];
};

static_assert(sizeof(BlockQ8_0x16) == 16 * sizeof(BlockQ8_0), "Q8_0x16 takes 16 Q8_0 blocks' bytes");
static_assert(sizeof(BlockQ6_Kx16) == 16 * sizeof(BlockQ6_K), "Q6_Kx16 takes 16 Q6_K blocks' bytes");
static_assert(sizeof(BlockQ4_Kx16) == 16 * sizeof(BlockQ4_K) + 64, "Q4_Kx16: 16 Q4_K blocks + unpacked scales");
static_assert(sizeof(BlockQ5_Kx16) == 16 * sizeof(BlockQ5_K) + 64, "Q5_Kx16: 16 Q5_K blocks + unpacked scales");

// The activation format of the interleaved kernels: Q8_0-like blocks of 32 with a float scale
// and the block's integer sum, so Q4_0's "- 8" and Q4_K's mins cost one term per block, not
// one per weight. x = d * q; sum = sum(q); d_sum = d * sum; half_sum = the sums of q[0..15] and
// q[16..31] (Q6_K's sub-blocks are 16 long).
struct ActBlockQ8x32 {
    int8_t q[kQK32];
    float d;
    int32_t sum;
    float d_sum;
    int16_t half_sum[2];
};
static_assert(sizeof(ActBlockQ8x32) == 48, "ActBlockQ8x32 is 48 bytes");

// Completes an activation block whose quants are written: the scale (already rounded to fp16
// precision) and the sums of the two 16-element halves.
inline void finish_act_block(ActBlockQ8x32 &y, float d, int32_t half0, int32_t half1) {
    y.d = d;
    y.sum = half0 + half1;
    y.d_sum = d * static_cast<float>(y.sum);
    y.half_sum[0] = static_cast<int16_t>(half0);
    y.half_sum[1] = static_cast<int16_t>(half1);
}

// Bytes of one group of 16 rows of k elements (k a multiple of the type's block size); 0 for a
// type without an interleaved layout.
size_t interleaved_group_bytes(GgmlType type, int64_t k);
// Repacks 16 rows (row r at src + r * src_row_bytes, k elements each) into one group at dst.
void repack_group(GgmlType type, const uint8_t *src, size_t src_row_bytes, int64_t k, uint8_t *dst);
// The inverse, for tests: row r (0..15) of the group back in the file's layout.
void unpack_group_row(GgmlType type, const uint8_t *group, int64_t k, int r, uint8_t *dst_row);

// Reference conversion of k floats (a multiple of 32) into ActBlockQ8x32 blocks: d = amax / 127,
// q rounded to nearest even (as the SIMD conversions round), then d rounded to fp16 as in
// llama.cpp's Q8_0 activations, which keeps results next to its own.
void quantize_act_q8x32_ref(const float *x, ActBlockQ8x32 *y, int64_t k);

// The K types' activations are quantized as Q8_K (one scale per 256, as llama.cpp does, which keeps
// results next to its own) and then spread into the blocks of 32 the kernels read.
void act_q8x32_from_q8_K(const BlockQ8_K &src, ActBlockQ8x32 *dst);
void quantize_act_q8x32_k_ref(const float *x, ActBlockQ8x32 *y, int64_t k);

}  // namespace lamina::quant
