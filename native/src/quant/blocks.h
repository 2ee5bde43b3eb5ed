// Block layouts of ggml's quantized types, byte for byte as stored in GGUF files. Plain structs
// of fixed-width integers (halves as raw uint16_t bits), so the same header serves C++ and CUDA.
//
// Conventions (all little-endian, as in the files):
//  - "32-element" formats: one fp16 scale d (and min m for the _1 types) per 32 weights; the
//    low nibble of qs[j] is element j, the high nibble element j + 16. For Q5_*, bit j of the
//    32-bit little-endian qh is the 5th bit of element j.
//  - K formats: super-blocks of 256 weights made of sub-blocks of 16 or 32 with quantized
//    sub-block scales; the per-type comments below give the bit placement.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lamina::quant {

constexpr int kQK32 = 32;   // block size of Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1
constexpr int kQK_K = 256;  // super-block size of the K formats
constexpr int kKScaleBytes = 12;  // packed 6-bit scales/mins of Q4_K/Q5_K, 4+2-bit scales of Q3_K

// x = d * (q - 8), q in [0, 15].
struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[kQK32 / 2];
};
// x = d * q + m, q in [0, 15].
struct BlockQ4_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qs[kQK32 / 2];
};
// x = d * (q - 16), q in [0, 31].
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[kQK32 / 2];
};
// x = d * q + m, q in [0, 31].
struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[kQK32 / 2];
};
// x = d * q, q in [-127, 127] (quantizers never produce -128).
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[kQK32];
};
// Q8_0 plus s = d * sum(qs) (fp16). Listed for layout completeness; Lamina's activations use Q8_0.
struct BlockQ8_1 {
    uint16_t d;
    uint16_t s;
    int8_t qs[kQK32];
};

// 16 sub-blocks of 16: x = d * (scales[i] & 15) * q - dmin * (scales[i] >> 4), q in [0, 3].
// qs: for each half h (128 elements, 32 bytes), element h*128 + 32*s + l sits in bits 2s..2s+1
// of qs[32h + l].
struct BlockQ2_K {
    uint8_t scales[kQK_K / 16];
    uint8_t qs[kQK_K / 4];
    uint16_t d;
    uint16_t dmin;
};
// 16 sub-blocks of 16: x = d * (sc[i] - 32) * (q - 4), q in [0, 7]. Low 2 bits of q as in
// Q2_K's qs; the high bit of element 32*b + l (b in 0..7) is bit b of hmask[l]. The 6-bit sc[i]:
// low 4 bits in nibble (i / 8) of scales[i % 8], high 2 bits in bits 2*(i / 4).. of scales[8 + i % 4].
struct BlockQ3_K {
    uint8_t hmask[kQK_K / 8];
    uint8_t qs[kQK_K / 4];
    uint8_t scales[kKScaleBytes];
    uint16_t d;
};
// 8 sub-blocks of 32: x = d * sc[i] * q - dmin * mn[i], q in [0, 15]; 6-bit sc/mn packed in
// `scales` (see k_scale_min()). qs: 4 chunks of 32 bytes, chunk c holds elements 64c + l (low
// nibble) and 64c + 32 + l (high nibble).
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[kKScaleBytes];
    uint8_t qs[kQK_K / 2];
};
// Q4_K plus a 5th bit: the high bit of element 32*b + l is bit b of qh[l]; q in [0, 31].
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[kKScaleBytes];
    uint8_t qh[kQK_K / 8];
    uint8_t qs[kQK_K / 2];
};
// 16 sub-blocks of 16: x = d * scales[i] * (q - 32), q in [0, 63]. For each half h (128
// elements): element 128h + 32s + l has its low 4 bits in ql[64h + l + 32*(s & 1)] (low nibble
// for s < 2, high nibble for s >= 2) and its high 2 bits in bits 2s..2s+1 of qh[32h + l].
struct BlockQ6_K {
    uint8_t ql[kQK_K / 2];
    uint8_t qh[kQK_K / 4];
    int8_t scales[kQK_K / 16];
    uint16_t d;
};
// Activation format of the K types: x = d * q, with bsums[i] = sum of qs[16i .. 16i+15].
struct BlockQ8_K {
    float d;
    int8_t qs[kQK_K];
    int16_t bsums[kQK_K / 16];
};

static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block is 18 bytes per 32 weights");
static_assert(sizeof(BlockQ4_1) == 20, "Q4_1 block is 20 bytes per 32 weights");
static_assert(sizeof(BlockQ5_0) == 22, "Q5_0 block is 22 bytes per 32 weights");
static_assert(sizeof(BlockQ5_1) == 24, "Q5_1 block is 24 bytes per 32 weights");
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block is 34 bytes per 32 weights");
static_assert(sizeof(BlockQ8_1) == 36, "Q8_1 block is 36 bytes per 32 weights");
static_assert(sizeof(BlockQ2_K) == 84, "Q2_K block is 84 bytes per 256 weights");
static_assert(sizeof(BlockQ3_K) == 110, "Q3_K block is 110 bytes per 256 weights");
static_assert(sizeof(BlockQ4_K) == 144, "Q4_K block is 144 bytes per 256 weights");
static_assert(sizeof(BlockQ5_K) == 176, "Q5_K block is 176 bytes per 256 weights");
static_assert(sizeof(BlockQ6_K) == 210, "Q6_K block is 210 bytes per 256 weights");
static_assert(sizeof(BlockQ8_K) == 292, "Q8_K block is 292 bytes per 256 weights");
// Blocks are read in place from the mapped file at any 2-byte offset; only Q8_K (never stored
// in files, built by convert_act) contains a float.
static_assert(alignof(BlockQ4_0) == 2 && alignof(BlockQ6_K) == 2, "file blocks are 2-aligned");

// Scale and min j (0..7) of the 12 packed bytes of Q4_K/Q5_K: j < 4 takes the low 6 bits of
// bytes j and j+4; j >= 4 takes the nibbles of byte j+4 plus the top 2 bits of bytes j-4 and j.
#if defined(__CUDACC__)
__host__ __device__
#endif
inline void k_scale_min(int j, const uint8_t *q, uint8_t *sc, uint8_t *mn) {
    if (j < 4) {
        *sc = q[j] & 63;
        *mn = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *mn = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// Q3_K's 16 signed sub-block scales (already minus 32) from its 12 packed bytes.
#if defined(__CUDACC__)
__host__ __device__
#endif
inline void q3k_scales(const uint8_t *packed, int8_t out[16]) {
    for (int i = 0; i < 16; ++i) {
        const int low = i < 8 ? (packed[i] & 0xF) : (packed[i - 8] >> 4);
        const int high = (packed[8 + i % 4] >> (2 * (i / 4))) & 3;
        out[i] = static_cast<int8_t>((low | (high << 4)) - 32);
    }
}

}  // namespace lamina::quant
