#include "quant/interleaved.h"

#include "common/float_convert.h"
#include "quant/k_formats.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lamina::quant {

size_t interleaved_group_bytes(GgmlType type, int64_t k) {
    switch (type) {
        case GgmlType::Q4_0: return static_cast<size_t>(k / kQK32) * sizeof(BlockQ4_0x16);
        case GgmlType::Q8_0: return static_cast<size_t>(k / kQK32) * sizeof(BlockQ8_0x16);
        case GgmlType::Q4_K: return static_cast<size_t>(k / kQK_K) * sizeof(BlockQ4_Kx16);
        case GgmlType::Q5_K: return static_cast<size_t>(k / kQK_K) * sizeof(BlockQ5_Kx16);
        case GgmlType::Q6_K: return static_cast<size_t>(k / kQK_K) * sizeof(BlockQ6_Kx16);
        default: return 0;
    }
}

namespace {

void repack_q4_0(const uint8_t *src, size_t row_bytes, int64_t k, BlockQ4_0x16 *dst) {
    for (int64_t b = 0; b < k / kQK32; ++b) {
        BlockQ4_0x16 &out = dst[b];
        for (int r = 0; r < kInterleave; ++r) {
            BlockQ4_0 in;
            std::memcpy(&in, src + r * row_bytes + b * sizeof(BlockQ4_0), sizeof in);
            out.d[r] = in.d;
            for (int i = 0; i < 4; ++i) std::memcpy(&out.qs[64 * i + 4 * r], &in.qs[4 * i], 4);
        }
    }
}

void repack_q8_0(const uint8_t *src, size_t row_bytes, int64_t k, BlockQ8_0x16 *dst) {
    for (int64_t b = 0; b < k / kQK32; ++b) {
        BlockQ8_0x16 &out = dst[b];
        for (int r = 0; r < kInterleave; ++r) {
            BlockQ8_0 in;
            std::memcpy(&in, src + r * row_bytes + b * sizeof(BlockQ8_0), sizeof in);
            out.d[r] = in.d;
            for (int i = 0; i < 8; ++i) {
                for (int j = 0; j < 4; ++j) out.qs[64 * i + 4 * r + j] = static_cast<uint8_t>(in.qs[4 * i + j] + 128);
            }
        }
    }
}

// Q4_K and Q5_K share the scales and the 4 low bits; Q5_K adds its 5th bits (qh).
template <typename In, typename Out>
void repack_k_scale_min(const uint8_t *src, size_t row_bytes, int64_t k, Out *dst) {
    for (int64_t b = 0; b < k / kQK_K; ++b) {
        Out &out = dst[b];
        for (int r = 0; r < kInterleave; ++r) {
            In in;
            std::memcpy(&in, src + r * row_bytes + b * sizeof(In), sizeof in);
            out.d[r] = in.d;
            out.dmin[r] = in.dmin;
            for (int s = 0; s < kQK_K / 32; ++s) k_scale_min(s, in.scales, &out.sc[s][r], &out.mn[s][r]);
            for (int c = 0; c < 4; ++c) {
                for (int i = 0; i < 8; ++i) std::memcpy(&out.qs[512 * c + 64 * i + 4 * r], &in.qs[32 * c + 4 * i], 4);
            }
            if constexpr (sizeof(In) == sizeof(BlockQ5_K)) {
                for (int i = 0; i < 8; ++i) std::memcpy(&out.qh[64 * i + 4 * r], &in.qh[4 * i], 4);
            }
        }
    }
}

void repack_q6_k(const uint8_t *src, size_t row_bytes, int64_t k, BlockQ6_Kx16 *dst) {
    for (int64_t b = 0; b < k / kQK_K; ++b) {
        BlockQ6_Kx16 &out = dst[b];
        for (int r = 0; r < kInterleave; ++r) {
            BlockQ6_K in;
            std::memcpy(&in, src + r * row_bytes + b * sizeof(BlockQ6_K), sizeof in);
            out.d[r] = in.d;
            for (int j = 0; j < kQK_K / 16; ++j) out.scales[j][r] = in.scales[j];
            for (int i = 0; i < 32; ++i) std::memcpy(&out.ql[64 * i + 4 * r], &in.ql[4 * i], 4);
            for (int i = 0; i < 16; ++i) std::memcpy(&out.qh[64 * i + 4 * r], &in.qh[4 * i], 4);
        }
    }
}

// Packs 8 six-bit scales and mins back into Q4_K's 12 bytes (the inverse of k_scale_min).
void pack_k_scales(const uint8_t *sc, const uint8_t *mn, uint8_t *q) {
    std::memset(q, 0, kKScaleBytes);
    for (int j = 0; j < 4; ++j) {
        q[j] = static_cast<uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
        q[j + 4] = static_cast<uint8_t>((mn[j] & 63) | ((mn[j + 4] >> 4) << 6));
        q[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xF) | ((mn[j + 4] & 0xF) << 4));
    }
}

template <typename Out, typename In>
void unpack_k_scale_min(const In *g, int64_t k, int r, uint8_t *dst_row) {
    for (int64_t b = 0; b < k / kQK_K; ++b) {
        Out out;
        out.d = g[b].d[r];
        out.dmin = g[b].dmin[r];
        uint8_t sc[8], mn[8];
        for (int s = 0; s < 8; ++s) {
            sc[s] = g[b].sc[s][r];
            mn[s] = g[b].mn[s][r];
        }
        pack_k_scales(sc, mn, out.scales);
        for (int c = 0; c < 4; ++c) {
            for (int i = 0; i < 8; ++i) std::memcpy(&out.qs[32 * c + 4 * i], &g[b].qs[512 * c + 64 * i + 4 * r], 4);
        }
        if constexpr (sizeof(Out) == sizeof(BlockQ5_K)) {
            for (int i = 0; i < 8; ++i) std::memcpy(&out.qh[4 * i], &g[b].qh[64 * i + 4 * r], 4);
        }
        std::memcpy(dst_row + b * sizeof out, &out, sizeof out);
    }
}

}  // namespace

void repack_group(GgmlType type, const uint8_t *src, size_t src_row_bytes, int64_t k, uint8_t *dst) {
    if (type == GgmlType::Q4_0) repack_q4_0(src, src_row_bytes, k, reinterpret_cast<BlockQ4_0x16 *>(dst));
    if (type == GgmlType::Q8_0) repack_q8_0(src, src_row_bytes, k, reinterpret_cast<BlockQ8_0x16 *>(dst));
    if (type == GgmlType::Q4_K) {
        repack_k_scale_min<BlockQ4_K>(src, src_row_bytes, k, reinterpret_cast<BlockQ4_Kx16 *>(dst));
    }
    if (type == GgmlType::Q5_K) {
        repack_k_scale_min<BlockQ5_K>(src, src_row_bytes, k, reinterpret_cast<BlockQ5_Kx16 *>(dst));
    }
    if (type == GgmlType::Q6_K) repack_q6_k(src, src_row_bytes, k, reinterpret_cast<BlockQ6_Kx16 *>(dst));
}

void unpack_group_row(GgmlType type, const uint8_t *group, int64_t k, int r, uint8_t *dst_row) {
    if (type == GgmlType::Q4_0) {
        const auto *g = reinterpret_cast<const BlockQ4_0x16 *>(group);
        for (int64_t b = 0; b < k / kQK32; ++b) {
            BlockQ4_0 out;
            out.d = g[b].d[r];
            for (int i = 0; i < 4; ++i) std::memcpy(&out.qs[4 * i], &g[b].qs[64 * i + 4 * r], 4);
            std::memcpy(dst_row + b * sizeof out, &out, sizeof out);
        }
    } else if (type == GgmlType::Q8_0) {
        const auto *g = reinterpret_cast<const BlockQ8_0x16 *>(group);
        for (int64_t b = 0; b < k / kQK32; ++b) {
            BlockQ8_0 out;
            out.d = g[b].d[r];
            for (int i = 0; i < 8; ++i) {
                for (int j = 0; j < 4; ++j) out.qs[4 * i + j] = static_cast<int8_t>(g[b].qs[64 * i + 4 * r + j] - 128);
            }
            std::memcpy(dst_row + b * sizeof out, &out, sizeof out);
        }
    } else if (type == GgmlType::Q4_K) {
        unpack_k_scale_min<BlockQ4_K>(reinterpret_cast<const BlockQ4_Kx16 *>(group), k, r, dst_row);
    } else if (type == GgmlType::Q5_K) {
        unpack_k_scale_min<BlockQ5_K>(reinterpret_cast<const BlockQ5_Kx16 *>(group), k, r, dst_row);
    } else if (type == GgmlType::Q6_K) {
        const auto *g = reinterpret_cast<const BlockQ6_Kx16 *>(group);
        for (int64_t b = 0; b < k / kQK_K; ++b) {
            BlockQ6_K out;
            out.d = g[b].d[r];
            for (int j = 0; j < kQK_K / 16; ++j) out.scales[j] = g[b].scales[j][r];
            for (int i = 0; i < 32; ++i) std::memcpy(&out.ql[4 * i], &g[b].ql[64 * i + 4 * r], 4);
            for (int i = 0; i < 16; ++i) std::memcpy(&out.qh[4 * i], &g[b].qh[64 * i + 4 * r], 4);
            std::memcpy(dst_row + b * sizeof out, &out, sizeof out);
        }
    }
}

void quantize_act_q8x32_ref(const float *x, ActBlockQ8x32 *y, int64_t k) {
    for (int64_t b = 0; b < k / kQK32; ++b, x += kQK32) {
        float amax = 0.0f;
        for (int j = 0; j < kQK32; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        int32_t half[2] = {0, 0};
        for (int j = 0; j < kQK32; ++j) {
            // Clamped like the SIMD conversions: a no-op for finite input, defined for NaN/inf.
            const long q = std::lrint(x[j] * id);
            y[b].q[j] = static_cast<int8_t>(q < -127 ? -127 : q > 127 ? 127 : q);
            half[j / 16] += y[b].q[j];
        }
        finish_act_block(y[b], fp16_to_fp32(fp32_to_fp16(d)), half[0], half[1]);
    }
}

void act_q8x32_from_q8_K(const BlockQ8_K &src, ActBlockQ8x32 *dst) {
    for (int s = 0; s < kQK_K / kQK32; ++s) {
        std::memcpy(dst[s].q, src.qs + kQK32 * s, kQK32);
        finish_act_block(dst[s], src.d, src.bsums[2 * s], src.bsums[2 * s + 1]);
    }
}

void quantize_act_q8x32_k_ref(const float *x, ActBlockQ8x32 *y, int64_t k) {
    for (int64_t b = 0; b < k / kQK_K; ++b) {
        BlockQ8_K q;
        quantize_row_q8_K_ref(x + b * kQK_K, &q, kQK_K);
        act_q8x32_from_q8_K(q, y + b * (kQK_K / kQK32));
    }
}

}  // namespace lamina::quant
