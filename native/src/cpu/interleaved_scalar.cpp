// Scalar reference kernels for the interleaved layouts: what the SIMD variants must compute, in
// the same order (an exact integer dot product per block and row, then one float term).
#include <cstring>

#include "common/float_convert.h"
#include "cpu/interleaved_tables.h"
#include "quant/interleaved.h"

namespace lamina::cpu::detail {
namespace {

using quant::ActBlockQ8x32;
using quant::BlockQ4_0x16;
using quant::BlockQ4_Kx16;
using quant::kInterleave;

size_t act_bytes(int64_t k) { return static_cast<size_t>(k / quant::kQK32) * sizeof(ActBlockQ8x32); }

void convert_act(const float *x, void *dst, int64_t k) {
    quant::quantize_act_q8x32_ref(x, static_cast<ActBlockQ8x32 *>(dst), k);
}
void convert_act_k(const float *x, void *dst, int64_t k) {
    quant::quantize_act_q8x32_k_ref(x, static_cast<ActBlockQ8x32 *>(dst), k);
}

void q4_0_group(int64_t nb, const BlockQ4_0x16 *w, const ActBlockQ8x32 *a, float *out) {
    float acc[kInterleave] = {};
    for (int64_t b = 0; b < nb; ++b) {
        for (int r = 0; r < kInterleave; ++r) {
            int32_t isum = -8 * a[b].sum;
            for (int i = 0; i < 4; ++i) {
                for (int j = 0; j < 4; ++j) {
                    const uint8_t byte = w[b].qs[64 * i + 4 * r + j];
                    isum += (byte & 0xF) * a[b].q[4 * i + j] + (byte >> 4) * a[b].q[16 + 4 * i + j];
                }
            }
            acc[r] += static_cast<float>(isum) * (fp16_to_fp32(w[b].d[r]) * a[b].d);
        }
    }
    std::memcpy(out, acc, sizeof acc);
}

void q8_0_group(int64_t nb, const quant::BlockQ8_0x16 *w, const ActBlockQ8x32 *a, float *out) {
    float acc[kInterleave] = {};
    for (int64_t b = 0; b < nb; ++b) {
        for (int r = 0; r < kInterleave; ++r) {
            int32_t isum = -128 * a[b].sum;
            for (int i = 0; i < 8; ++i) {
                for (int j = 0; j < 4; ++j) isum += w[b].qs[64 * i + 4 * r + j] * a[b].q[4 * i + j];
            }
            acc[r] += static_cast<float>(isum) * (fp16_to_fp32(w[b].d[r]) * a[b].d);
        }
    }
    std::memcpy(out, acc, sizeof acc);
}

// Q4_K and Q5_K: 4 low bits in qs (low nibble for even sub-blocks, high for odd); Q5_K's 5th
// bit of sub-block s is bit s of qh.
struct Q4_KLevels {
    using Block = BlockQ4_Kx16;
    static int level(const Block &w, int s, int i, int r, int j) {
        return (w.qs[512 * (s / 2) + 64 * i + 4 * r + j] >> (4 * (s % 2))) & 0xF;
    }
};
struct Q5_KLevels {
    using Block = quant::BlockQ5_Kx16;
    static int level(const Block &w, int s, int i, int r, int j) {
        const int low = (w.qs[512 * (s / 2) + 64 * i + 4 * r + j] >> (4 * (s % 2))) & 0xF;
        return low | (((w.qh[64 * i + 4 * r + j] >> s) & 1) << 4);
    }
};

template <class L>
void k_scale_min_group(int64_t nb, const typename L::Block *w, const ActBlockQ8x32 *a, float *out) {
    float acc[kInterleave] = {};
    for (int64_t b = 0; b < nb; ++b) {
        for (int r = 0; r < kInterleave; ++r) {
            const float d = fp16_to_fp32(w[b].d[r]), dmin = fp16_to_fp32(w[b].dmin[r]);
            for (int s = 0; s < 8; ++s) {
                const ActBlockQ8x32 &x = a[8 * b + s];
                int32_t isum = 0;
                for (int i = 0; i < 8; ++i) {
                    for (int j = 0; j < 4; ++j) isum += L::level(w[b], s, i, r, j) * x.q[4 * i + j];
                }
                acc[r] += static_cast<float>(isum) * (d * w[b].sc[s][r] * x.d);
                acc[r] -= dmin * w[b].mn[s][r] * x.d_sum;
            }
        }
    }
    std::memcpy(out, acc, sizeof acc);
}

void q6_k_group(int64_t nb, const quant::BlockQ6_Kx16 *w, const ActBlockQ8x32 *a, float *out) {
    float acc[kInterleave] = {};
    for (int64_t b = 0; b < nb; ++b) {
        for (int r = 0; r < kInterleave; ++r) {
            const float d = fp16_to_fp32(w[b].d[r]);
            // Chunk c of 32 elements = Q6_K's half h, quarter s; its two 16-element halves are
            // sub-blocks 2c and 2c + 1.
            for (int c = 0; c < 8; ++c) {
                const ActBlockQ8x32 &x = a[8 * b + c];
                const int h = c / 4, s = c % 4;
                for (int half = 0; half < 2; ++half) {
                    int32_t isum = -32 * x.half_sum[half];
                    for (int i = 4 * half; i < 4 * half + 4; ++i) {
                        for (int j = 0; j < 4; ++j) {
                            const uint8_t lo = w[b].ql[64 * (16 * h + 8 * (s & 1) + i) + 4 * r + j];
                            const uint8_t hi = w[b].qh[64 * (8 * h + i) + 4 * r + j];
                            const int q = ((lo >> (s >= 2 ? 4 : 0)) & 0xF) | (((hi >> (2 * s)) & 3) << 4);
                            isum += q * x.q[4 * i + j];
                        }
                    }
                    acc[r] += static_cast<float>(isum) * (d * w[b].scales[2 * c + half][r] * x.d);
                }
            }
        }
    }
    std::memcpy(out, acc, sizeof acc);
}

template <typename Block, int kBlockElems, void (*Group)(int64_t, const Block *, const ActBlockQ8x32 *, float *)>
void gemm(int64_t k, const void *groups, size_t group_stride, int64_t n_groups, const void *act, size_t act_stride,
          int64_t n_act, float *out, size_t out_stride) {
    for (int64_t t = 0; t < n_act; ++t) {
        const auto *a = reinterpret_cast<const ActBlockQ8x32 *>(static_cast<const char *>(act) + t * act_stride);
        for (int64_t g = 0; g < n_groups; ++g) {
            const auto *w = reinterpret_cast<const Block *>(static_cast<const char *>(groups) + g * group_stride);
            Group(k / kBlockElems, w, a, out + t * out_stride + g * kInterleave);
        }
    }
}

const InterleavedKernel kQ4_0{act_bytes, convert_act, gemm<BlockQ4_0x16, quant::kQK32, q4_0_group>};
const InterleavedKernel kQ8_0{act_bytes, convert_act, gemm<quant::BlockQ8_0x16, quant::kQK32, q8_0_group>};
const InterleavedKernel kQ6_K{act_bytes, convert_act_k, gemm<quant::BlockQ6_Kx16, quant::kQK_K, q6_k_group>};
const InterleavedKernel kQ4_K{act_bytes, convert_act_k,
                              gemm<BlockQ4_Kx16, quant::kQK_K, k_scale_min_group<Q4_KLevels>>};
const InterleavedKernel kQ5_K{act_bytes, convert_act_k,
                              gemm<quant::BlockQ5_Kx16, quant::kQK_K, k_scale_min_group<Q5_KLevels>>};

}  // namespace

const InterleavedKernel *scalar_interleaved_kernel(GgmlType type) {
    if (type == GgmlType::Q4_0) return &kQ4_0;
    if (type == GgmlType::Q8_0) return &kQ8_0;
    if (type == GgmlType::Q4_K) return &kQ4_K;
    if (type == GgmlType::Q5_K) return &kQ5_K;
    if (type == GgmlType::Q6_K) return &kQ6_K;
    return nullptr;
}

}  // namespace lamina::cpu::detail
