#include "quant/k_formats.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/float_convert.h"
#include "quant/k_search.h"
#include "quant/rounding.h"

namespace lamina::quant {
namespace {

// Packs 2-bit levels: element 128h + 32s + l goes to bits 2s of qs[32h + l].
void pack_2bit(const uint8_t *L, uint8_t *qs) {
    for (int h = 0; h < kQK_K / 128; ++h) {
        for (int l = 0; l < 32; ++l) {
            const uint8_t *g = L + 128 * h + l;
            qs[32 * h + l] = static_cast<uint8_t>(g[0] | (g[32] << 2) | (g[64] << 4) | (g[96] << 6));
        }
    }
}

uint8_t unpack_2bit(const uint8_t *qs, int e) {
    const int h = e / 128, s = (e % 128) / 32, l = e % 32;
    return (qs[32 * h + l] >> (2 * s)) & 3;
}

// Packs the 6-bit scales/mins of Q4_K/Q5_K (the inverse of k_scale_min()).
void pack_scale_min(const uint8_t *ls, const uint8_t *lm, uint8_t *q) {
    std::memset(q, 0, kKScaleBytes);
    for (int j = 0; j < 8; ++j) {
        if (j < 4) {
            q[j] |= ls[j] & 63;
            q[j + 4] |= lm[j] & 63;
        } else {
            q[j + 4] = static_cast<uint8_t>((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
            q[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
            q[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
        }
    }
}

// Packs Q3_K's 16 six-bit scales (stored +32).
void pack_q3_scales(const int *sc, uint8_t *q) {
    std::memset(q, 0, kKScaleBytes);
    for (int j = 0; j < 16; ++j) {
        const int l = sc[j];
        if (j < 8) q[j] |= l & 0xF;
        else q[j - 8] |= static_cast<uint8_t>((l & 0xF) << 4);
        q[8 + j % 4] |= static_cast<uint8_t>((l >> 4) << (2 * (j / 4)));
    }
}

float max_of(const float *v, int n) {
    float m = 0.0f;
    for (int i = 0; i < n; ++i) m = std::max(m, v[i]);
    return m;
}

// Q4_K/Q5_K: per 32-wide sub-block scale/min search, 6-bit quantization of both against
// their maxima, then levels recomputed against the quantized scales.
template <typename Block>
void quantize_scale_min_block(const float *x, Block &y, int nmax, float rmin, float rdelta,
                              int nstep, uint8_t *L) {
    float scales[8], mins[8], weights[32];
    for (int j = 0; j < 8; ++j) {
        const float *g = x + 32 * j;
        float sum_x2 = 0.0f;
        for (int l = 0; l < 32; ++l) sum_x2 += g[l] * g[l];
        const float av_x = std::sqrt(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(g[l]);
        scales[j] = search_scale_min(32, nmax, g, weights, L + 32 * j, &mins[j], rmin, rdelta,
                                     nstep, false);
    }
    const float max_scale = max_of(scales, 8), max_min = max_of(mins, 8);
    const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
    const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
    uint8_t ls[8], lm[8];
    for (int j = 0; j < 8; ++j) {
        ls[j] = static_cast<uint8_t>(clamp_to(nearest_int(inv_scale * scales[j]), 0, 63));
        lm[j] = static_cast<uint8_t>(clamp_to(nearest_int(inv_min * mins[j]), 0, 63));
    }
    pack_scale_min(ls, lm, y.scales);
    y.d = fp32_to_fp16(max_scale / 63.0f);
    y.dmin = fp32_to_fp16(max_min / 63.0f);
    const float d = fp16_to_fp32(y.d), dmin = fp16_to_fp32(y.dmin);
    for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        k_scale_min(j, y.scales, &sc, &m);
        const float dj = d * sc;
        if (dj == 0.0f) continue;
        const float mj = dmin * m;
        for (int l = 0; l < 32; ++l)
            L[32 * j + l] = static_cast<uint8_t>(clamp_to(nearest_int((x[32 * j + l] + mj) / dj), 0, nmax));
    }
}

// Writes 4-bit levels as Q4_K/Q5_K's qs: chunk c holds elements 64c + l (low) and 64c+32+l.
void pack_4bit_chunks(const uint8_t *L, uint8_t *qs) {
    for (int c = 0; c < 4; ++c)
        for (int l = 0; l < 32; ++l)
            qs[32 * c + l] = static_cast<uint8_t>((L[64 * c + l] & 0xF) | ((L[64 * c + 32 + l] & 0xF) << 4));
}

uint8_t unpack_4bit_chunks(const uint8_t *qs, int e) {
    const int c = e / 64, r = e % 64;
    return r < 32 ? (qs[32 * c + r] & 0xF) : (qs[32 * c + r - 32] >> 4);
}

}  // namespace

// ---- levels ----------------------------------------------------------------------------------

void q2_K_levels(const BlockQ2_K &b, uint8_t L[kQK_K]) {
    for (int e = 0; e < kQK_K; ++e) L[e] = unpack_2bit(b.qs, e);
}

void q3_K_levels(const BlockQ3_K &b, int8_t L[kQK_K]) {
    for (int e = 0; e < kQK_K; ++e) {
        const int high = (b.hmask[e % 32] >> (e / 32)) & 1;
        L[e] = static_cast<int8_t>((unpack_2bit(b.qs, e) | (high << 2)) - 4);
    }
}

void q4_K_levels(const BlockQ4_K &b, uint8_t L[kQK_K]) {
    for (int e = 0; e < kQK_K; ++e) L[e] = unpack_4bit_chunks(b.qs, e);
}

void q5_K_levels(const BlockQ5_K &b, uint8_t L[kQK_K]) {
    for (int e = 0; e < kQK_K; ++e) {
        const int high = (b.qh[e % 32] >> (e / 32)) & 1;
        L[e] = static_cast<uint8_t>(unpack_4bit_chunks(b.qs, e) | (high << 4));
    }
}

void q6_K_levels(const BlockQ6_K &b, int8_t L[kQK_K]) {
    for (int e = 0; e < kQK_K; ++e) {
        const int h = e / 128, s = (e % 128) / 32, l = e % 32;
        const uint8_t qlb = b.ql[64 * h + l + 32 * (s & 1)];
        const int low = s < 2 ? (qlb & 0xF) : (qlb >> 4);
        const int high = (b.qh[32 * h + l] >> (2 * s)) & 3;
        L[e] = static_cast<int8_t>((low | (high << 4)) - 32);
    }
}

// ---- dequantization --------------------------------------------------------------------------

void dequantize_row_q2_K(const BlockQ2_K *x, float *y, int64_t n) {
    uint8_t L[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b, y += kQK_K) {
        q2_K_levels(x[b], L);
        const float d = fp16_to_fp32(x[b].d), dmin = fp16_to_fp32(x[b].dmin);
        for (int e = 0; e < kQK_K; ++e) {
            const uint8_t sc = x[b].scales[e / 16];
            y[e] = d * (sc & 0xF) * L[e] - dmin * (sc >> 4);
        }
    }
}

void dequantize_row_q3_K(const BlockQ3_K *x, float *y, int64_t n) {
    int8_t L[kQK_K], sc[16];
    for (int64_t b = 0; b < n / kQK_K; ++b, y += kQK_K) {
        q3_K_levels(x[b], L);
        q3k_scales(x[b].scales, sc);
        const float d = fp16_to_fp32(x[b].d);
        for (int e = 0; e < kQK_K; ++e) y[e] = d * sc[e / 16] * L[e];
    }
}

void dequantize_row_q4_K(const BlockQ4_K *x, float *y, int64_t n) {
    uint8_t L[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b, y += kQK_K) {
        q4_K_levels(x[b], L);
        const float d = fp16_to_fp32(x[b].d), dmin = fp16_to_fp32(x[b].dmin);
        for (int j = 0; j < 8; ++j) {
            uint8_t sc, m;
            k_scale_min(j, x[b].scales, &sc, &m);
            const float dj = d * sc, mj = dmin * m;
            for (int l = 0; l < 32; ++l) y[32 * j + l] = dj * L[32 * j + l] - mj;
        }
    }
}

void dequantize_row_q5_K(const BlockQ5_K *x, float *y, int64_t n) {
    uint8_t L[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b, y += kQK_K) {
        q5_K_levels(x[b], L);
        const float d = fp16_to_fp32(x[b].d), dmin = fp16_to_fp32(x[b].dmin);
        for (int j = 0; j < 8; ++j) {
            uint8_t sc, m;
            k_scale_min(j, x[b].scales, &sc, &m);
            const float dj = d * sc, mj = dmin * m;
            for (int l = 0; l < 32; ++l) y[32 * j + l] = dj * L[32 * j + l] - mj;
        }
    }
}

void dequantize_row_q6_K(const BlockQ6_K *x, float *y, int64_t n) {
    int8_t L[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b, y += kQK_K) {
        q6_K_levels(x[b], L);
        const float d = fp16_to_fp32(x[b].d);
        for (int e = 0; e < kQK_K; ++e) y[e] = d * x[b].scales[e / 16] * L[e];
    }
}

void dequantize_row_q8_K(const BlockQ8_K *x, float *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK_K; ++b, y += kQK_K)
        for (int e = 0; e < kQK_K; ++e) y[e] = x[b].d * x[b].qs[e];
}

// ---- reference quantizers --------------------------------------------------------------------

void quantize_row_q2_K_ref(const float *x, BlockQ2_K *y, int64_t n) {
    uint8_t L[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
        float scales[16], mins[16], weights[16];
        for (int j = 0; j < 16; ++j) {
            for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
            scales[j] = search_scale_min(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], -0.5f,
                                         0.1f, 15, true);
        }
        const float max_scale = max_of(scales, 16), max_min = max_of(mins, 16);
        // Sub-block scales and mins as 4-bit multiples of d and dmin.
        for (int j = 0; j < 16; ++j) {
            const int ls = max_scale > 0 ? nearest_int(15.0f / max_scale * scales[j]) : 0;
            const int lm = max_min > 0 ? nearest_int(15.0f / max_min * mins[j]) : 0;
            y[b].scales[j] = static_cast<uint8_t>(ls | (lm << 4));
        }
        y[b].d = fp32_to_fp16(max_scale > 0 ? max_scale / 15.0f : 0.0f);
        y[b].dmin = fp32_to_fp16(max_min > 0 ? max_min / 15.0f : 0.0f);
        const float d = fp16_to_fp32(y[b].d), dmin = fp16_to_fp32(y[b].dmin);
        for (int j = 0; j < 16; ++j) {
            const float dj = d * (y[b].scales[j] & 0xF);
            if (dj == 0.0f) continue;
            const float mj = dmin * (y[b].scales[j] >> 4);
            for (int l = 0; l < 16; ++l)
                L[16 * j + l] = static_cast<uint8_t>(clamp_to(nearest_int((x[16 * j + l] + mj) / dj), 0, 3));
        }
        pack_2bit(L, y[b].qs);
    }
}

void quantize_row_q3_K_ref(const float *x, BlockQ3_K *y, int64_t n) {
    int8_t L[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
        float scales[16];
        float amax = 0.0f, max_scale = 0.0f;
        for (int j = 0; j < 16; ++j) {
            scales[j] = search_symmetric_scale_q3(16, 4, x + 16 * j, L + 16 * j);
            if (std::fabs(scales[j]) > amax) {
                amax = std::fabs(scales[j]);
                max_scale = scales[j];
            }
        }
        int sc[16] = {};
        if (max_scale != 0.0f) {
            const float iscale = -32.0f / max_scale;
            for (int j = 0; j < 16; ++j) sc[j] = clamp_to(nearest_int(iscale * scales[j]), -32, 31) + 32;
            y[b].d = fp32_to_fp16(1.0f / iscale);
        } else {
            for (int j = 0; j < 16; ++j) sc[j] = 0;
            y[b].d = fp32_to_fp16(0.0f);
        }
        pack_q3_scales(sc, y[b].scales);
        int8_t scv[16];
        q3k_scales(y[b].scales, scv);
        const float d = fp16_to_fp32(y[b].d);
        for (int j = 0; j < 16; ++j) {
            const float dj = d * scv[j];
            if (dj == 0.0f) continue;
            for (int l = 0; l < 16; ++l)
                L[16 * j + l] = static_cast<int8_t>(clamp_to(nearest_int(x[16 * j + l] / dj), -4, 3) + 4);
        }
        // Levels are 0..7 here: bit 2 goes to hmask, bits 0-1 to qs.
        std::memset(y[b].hmask, 0, sizeof y[b].hmask);
        uint8_t low[kQK_K];
        for (int e = 0; e < kQK_K; ++e) {
            if (L[e] > 3) y[b].hmask[e % 32] |= static_cast<uint8_t>(1 << (e / 32));
            low[e] = static_cast<uint8_t>(L[e] & 3);
        }
        pack_2bit(low, y[b].qs);
    }
}

void quantize_row_q4_K_ref(const float *x, BlockQ4_K *y, int64_t n) {
    uint8_t L[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
        quantize_scale_min_block(x, y[b], 15, -1.0f, 0.1f, 20, L);
        pack_4bit_chunks(L, y[b].qs);
    }
}

void quantize_row_q5_K_ref(const float *x, BlockQ5_K *y, int64_t n) {
    uint8_t L[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
        quantize_scale_min_block(x, y[b], 31, -0.5f, 0.1f, 15, L);
        std::memset(y[b].qh, 0, sizeof y[b].qh);
        for (int e = 0; e < kQK_K; ++e)
            if (L[e] > 15) y[b].qh[e % 32] |= static_cast<uint8_t>(1 << (e / 32));
        pack_4bit_chunks(L, y[b].qs);
    }
}

void quantize_row_q6_K_ref(const float *x, BlockQ6_K *y, int64_t n) {
    int8_t L[kQK_K];
    for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
        float scales[16];
        float max_abs = 0.0f, max_scale = 0.0f;
        for (int j = 0; j < 16; ++j) {
            scales[j] = search_symmetric_scale(16, 32, x + 16 * j, L + 16 * j);
            if (std::fabs(scales[j]) > max_abs) {
                max_abs = std::fabs(scales[j]);
                max_scale = scales[j];
            }
        }
        if (max_abs < 1e-15f) {
            std::memset(&y[b], 0, sizeof y[b]);
            continue;
        }
        const float iscale = -128.0f / max_scale;
        y[b].d = fp32_to_fp16(1.0f / iscale);
        for (int j = 0; j < 16; ++j)
            y[b].scales[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[j])));
        const float d = fp16_to_fp32(y[b].d);
        for (int j = 0; j < 16; ++j) {
            const float dj = d * y[b].scales[j];
            if (dj == 0.0f) continue;
            for (int l = 0; l < 16; ++l)
                L[16 * j + l] = static_cast<int8_t>(clamp_to(nearest_int(x[16 * j + l] / dj), -32, 31) + 32);
        }
        // Levels 0..63: low nibbles into ql, top 2 bits into qh (see BlockQ6_K).
        for (int h = 0; h < 2; ++h) {
            for (int l = 0; l < 32; ++l) {
                const int8_t *g = L + 128 * h + l;
                y[b].ql[64 * h + l] = static_cast<uint8_t>((g[0] & 0xF) | ((g[64] & 0xF) << 4));
                y[b].ql[64 * h + 32 + l] = static_cast<uint8_t>((g[32] & 0xF) | ((g[96] & 0xF) << 4));
                y[b].qh[32 * h + l] = static_cast<uint8_t>((g[0] >> 4) | ((g[32] >> 4) << 2) |
                                                           ((g[64] >> 4) << 4) | ((g[96] >> 4) << 6));
            }
        }
    }
}

void quantize_row_q8_K_ref(const float *x, BlockQ8_K *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
        float amax = 0.0f, max = 0.0f;
        for (int e = 0; e < kQK_K; ++e) {
            if (std::fabs(x[e]) > amax) {
                amax = std::fabs(x[e]);
                max = x[e];
            }
        }
        if (amax == 0.0f) {
            std::memset(&y[b], 0, sizeof y[b]);
            continue;
        }
        const float iscale = -127.0f / max;
        for (int e = 0; e < kQK_K; ++e)
            y[b].qs[e] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[e])));
        for (int j = 0; j < 16; ++j) {
            int s = 0;
            for (int l = 0; l < 16; ++l) s += y[b].qs[16 * j + l];
            y[b].bsums[j] = static_cast<int16_t>(s);
        }
        y[b].d = 1.0f / iscale;
    }
}

// ---- scalar dot products against Q8_K ----------------------------------------------------------
// Integer sums per super-block are exact; each super-block adds one or two rounded float terms.

float vec_dot_q2_K_q8_K(int64_t n, const BlockQ2_K *w, const BlockQ8_K *a) {
    uint8_t L[kQK_K];
    float sum = 0.0f;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        q2_K_levels(w[b], L);
        int isum = 0, msum = 0;
        for (int j = 0; j < 16; ++j) {
            int s = 0;
            for (int l = 0; l < 16; ++l) s += L[16 * j + l] * a[b].qs[16 * j + l];
            isum += (w[b].scales[j] & 0xF) * s;
            msum += (w[b].scales[j] >> 4) * a[b].bsums[j];
        }
        sum += a[b].d * fp16_to_fp32(w[b].d) * static_cast<float>(isum) -
               a[b].d * fp16_to_fp32(w[b].dmin) * static_cast<float>(msum);
    }
    return sum;
}

float vec_dot_q3_K_q8_K(int64_t n, const BlockQ3_K *w, const BlockQ8_K *a) {
    int8_t L[kQK_K], sc[16];
    float sum = 0.0f;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        q3_K_levels(w[b], L);
        q3k_scales(w[b].scales, sc);
        int isum = 0;
        for (int j = 0; j < 16; ++j) {
            int s = 0;
            for (int l = 0; l < 16; ++l) s += L[16 * j + l] * a[b].qs[16 * j + l];
            isum += sc[j] * s;
        }
        sum += a[b].d * fp16_to_fp32(w[b].d) * static_cast<float>(isum);
    }
    return sum;
}

namespace {
template <typename Block, void (*Levels)(const Block &, uint8_t *)>
float dot_scale_min_k(int64_t n, const Block *w, const BlockQ8_K *a) {
    uint8_t L[kQK_K];
    float sum = 0.0f;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        Levels(w[b], L);
        int isum = 0, msum = 0;
        for (int j = 0; j < 8; ++j) {
            uint8_t sc, m;
            k_scale_min(j, w[b].scales, &sc, &m);
            int s = 0;
            for (int l = 0; l < 32; ++l) s += L[32 * j + l] * a[b].qs[32 * j + l];
            isum += sc * s;
            msum += m * (a[b].bsums[2 * j] + a[b].bsums[2 * j + 1]);
        }
        sum += a[b].d * fp16_to_fp32(w[b].d) * static_cast<float>(isum) -
               a[b].d * fp16_to_fp32(w[b].dmin) * static_cast<float>(msum);
    }
    return sum;
}
}  // namespace

float vec_dot_q4_K_q8_K(int64_t n, const BlockQ4_K *w, const BlockQ8_K *a) {
    return dot_scale_min_k<BlockQ4_K, q4_K_levels>(n, w, a);
}

float vec_dot_q5_K_q8_K(int64_t n, const BlockQ5_K *w, const BlockQ8_K *a) {
    return dot_scale_min_k<BlockQ5_K, q5_K_levels>(n, w, a);
}

float vec_dot_q6_K_q8_K(int64_t n, const BlockQ6_K *w, const BlockQ8_K *a) {
    int8_t L[kQK_K];
    float sum = 0.0f;
    for (int64_t b = 0; b < n / kQK_K; ++b) {
        q6_K_levels(w[b], L);
        int isum = 0;
        for (int j = 0; j < 16; ++j) {
            int s = 0;
            for (int l = 0; l < 16; ++l) s += L[16 * j + l] * a[b].qs[16 * j + l];
            isum += w[b].scales[j] * s;
        }
        sum += a[b].d * fp16_to_fp32(w[b].d) * static_cast<float>(isum);
    }
    return sum;
}

}  // namespace lamina::quant
