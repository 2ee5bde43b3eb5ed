#include "quant/q32_formats.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "common/float_convert.h"

namespace lamina::quant {
namespace {

constexpr int kHalf = kQK32 / 2;

// The value with the largest magnitude (its sign picks the direction of the scale, so the most
// extreme weight lands exactly on the end of the quantized range).
float signed_absmax(const float *x, int n) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < n; ++j) {
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
    return max;
}

void min_max(const float *x, int n, float *mn, float *mx) {
    *mn = FLT_MAX;
    *mx = -FLT_MAX;
    for (int j = 0; j < n; ++j) {
        *mn = std::min(*mn, x[j]);
        *mx = std::max(*mx, x[j]);
    }
}


// Sum of a Q8_0 activation block's integers (the _1 types' min term needs it).
int q8_sum(const BlockQ8_0 &a) {
    int s = 0;
    for (int j = 0; j < kQK32; ++j) s += a.qs[j];
    return s;
}

}  // namespace

// ---- dequantization ---------------------------------------------------------------------------

void dequantize_row_q4_0(const BlockQ4_0 *x, float *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK32; ++b, y += kQK32) {
        const float d = fp16_to_fp32(x[b].d);
        for (int j = 0; j < kHalf; ++j) {
            y[j] = static_cast<float>((x[b].qs[j] & 0xF) - 8) * d;
            y[j + kHalf] = static_cast<float>((x[b].qs[j] >> 4) - 8) * d;
        }
    }
}

void dequantize_row_q4_1(const BlockQ4_1 *x, float *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK32; ++b, y += kQK32) {
        const float d = fp16_to_fp32(x[b].d), m = fp16_to_fp32(x[b].m);
        for (int j = 0; j < kHalf; ++j) {
            y[j] = static_cast<float>(x[b].qs[j] & 0xF) * d + m;
            y[j + kHalf] = static_cast<float>(x[b].qs[j] >> 4) * d + m;
        }
    }
}

void dequantize_row_q5_0(const BlockQ5_0 *x, float *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK32; ++b, y += kQK32) {
        const float d = fp16_to_fp32(x[b].d);
        for (int j = 0; j < kQK32; ++j) y[j] = static_cast<float>(q5_value(x[b].qs, x[b].qh, j) - 16) * d;
    }
}

void dequantize_row_q5_1(const BlockQ5_1 *x, float *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK32; ++b, y += kQK32) {
        const float d = fp16_to_fp32(x[b].d), m = fp16_to_fp32(x[b].m);
        for (int j = 0; j < kQK32; ++j) y[j] = static_cast<float>(q5_value(x[b].qs, x[b].qh, j)) * d + m;
    }
}

void dequantize_row_q8_0(const BlockQ8_0 *x, float *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK32; ++b, y += kQK32) {
        const float d = fp16_to_fp32(x[b].d);
        for (int j = 0; j < kQK32; ++j) y[j] = static_cast<float>(x[b].qs[j]) * d;
    }
}

// ---- reference quantizers (ggml's quantize_row_*_ref choices) ---------------------------------

void quantize_row_q4_0_ref(const float *x, BlockQ4_0 *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK32; ++b, x += kQK32) {
        const float d = signed_absmax(x, kQK32) / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        for (int j = 0; j < kHalf; ++j) {
            // x*id lies in [-8, 8]; +8.5 then truncation rounds to nearest in [0, 16].
            const int q0 = std::min(15, static_cast<int>(x[j] * id + 8.5f));
            const int q1 = std::min(15, static_cast<int>(x[j + kHalf] * id + 8.5f));
            y[b].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
}

void quantize_row_q4_1_ref(const float *x, BlockQ4_1 *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK32; ++b, x += kQK32) {
        float mn, mx;
        min_max(x, kQK32, &mn, &mx);
        const float d = (mx - mn) / 15.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        y[b].m = fp32_to_fp16(mn);
        for (int j = 0; j < kHalf; ++j) {
            const int q0 = std::min(15, static_cast<int>((x[j] - mn) * id + 0.5f));
            const int q1 = std::min(15, static_cast<int>((x[j + kHalf] - mn) * id + 0.5f));
            y[b].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
}

namespace {
// Stores 32 five-bit values into the nibbles + qh layout.
void pack_q5(const int *q, uint8_t *qs, uint8_t *qh) {
    uint32_t h = 0;
    for (int j = 0; j < kHalf; ++j) {
        qs[j] = static_cast<uint8_t>((q[j] & 0xF) | ((q[j + kHalf] & 0xF) << 4));
        h |= static_cast<uint32_t>((q[j] >> 4) & 1) << j;
        h |= static_cast<uint32_t>((q[j + kHalf] >> 4) & 1) << (j + kHalf);
    }
    for (int i = 0; i < 4; ++i) qh[i] = static_cast<uint8_t>(h >> (8 * i));
}
}  // namespace

void quantize_row_q5_0_ref(const float *x, BlockQ5_0 *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK32; ++b, x += kQK32) {
        const float d = signed_absmax(x, kQK32) / -16.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        int q[kQK32];
        for (int j = 0; j < kQK32; ++j) q[j] = std::min(31, static_cast<int>(x[j] * id + 16.5f));
        pack_q5(q, y[b].qs, y[b].qh);
    }
}

void quantize_row_q5_1_ref(const float *x, BlockQ5_1 *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK32; ++b, x += kQK32) {
        float mn, mx;
        min_max(x, kQK32, &mn, &mx);
        const float d = (mx - mn) / 31.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        y[b].m = fp32_to_fp16(mn);
        int q[kQK32];
        for (int j = 0; j < kQK32; ++j) q[j] = std::min(31, static_cast<int>((x[j] - mn) * id + 0.5f));
        pack_q5(q, y[b].qs, y[b].qh);
    }
}

void quantize_row_q8_0_ref(const float *x, BlockQ8_0 *y, int64_t n) {
    for (int64_t b = 0; b < n / kQK32; ++b, x += kQK32) {
        float amax = 0.0f;
        for (int j = 0; j < kQK32; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = fp32_to_fp16(d);
        for (int j = 0; j < kQK32; ++j) y[b].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
    }
}

// ---- scalar dot products against Q8_0 activations ---------------------------------------------
// Each block's integer dot product is exact; only the per-block float terms are rounded.

float vec_dot_q4_0_q8_0(int64_t n, const BlockQ4_0 *w, const BlockQ8_0 *a) {
    float sum = 0.0f;
    for (int64_t b = 0; b < n / kQK32; ++b) {
        int isum = 0;
        for (int j = 0; j < kHalf; ++j) {
            isum += ((w[b].qs[j] & 0xF) - 8) * a[b].qs[j];
            isum += ((w[b].qs[j] >> 4) - 8) * a[b].qs[j + kHalf];
        }
        sum += static_cast<float>(isum) * (fp16_to_fp32(w[b].d) * fp16_to_fp32(a[b].d));
    }
    return sum;
}

float vec_dot_q4_1_q8_0(int64_t n, const BlockQ4_1 *w, const BlockQ8_0 *a) {
    float sum = 0.0f;
    for (int64_t b = 0; b < n / kQK32; ++b) {
        int isum = 0;
        for (int j = 0; j < kHalf; ++j) {
            isum += (w[b].qs[j] & 0xF) * a[b].qs[j];
            isum += (w[b].qs[j] >> 4) * a[b].qs[j + kHalf];
        }
        const float da = fp16_to_fp32(a[b].d);
        sum += static_cast<float>(isum) * (fp16_to_fp32(w[b].d) * da) +
               static_cast<float>(q8_sum(a[b])) * (fp16_to_fp32(w[b].m) * da);
    }
    return sum;
}

float vec_dot_q5_0_q8_0(int64_t n, const BlockQ5_0 *w, const BlockQ8_0 *a) {
    float sum = 0.0f;
    for (int64_t b = 0; b < n / kQK32; ++b) {
        int isum = 0;
        for (int j = 0; j < kQK32; ++j) isum += (q5_value(w[b].qs, w[b].qh, j) - 16) * a[b].qs[j];
        sum += static_cast<float>(isum) * (fp16_to_fp32(w[b].d) * fp16_to_fp32(a[b].d));
    }
    return sum;
}

float vec_dot_q5_1_q8_0(int64_t n, const BlockQ5_1 *w, const BlockQ8_0 *a) {
    float sum = 0.0f;
    for (int64_t b = 0; b < n / kQK32; ++b) {
        int isum = 0;
        for (int j = 0; j < kQK32; ++j) isum += q5_value(w[b].qs, w[b].qh, j) * a[b].qs[j];
        const float da = fp16_to_fp32(a[b].d);
        sum += static_cast<float>(isum) * (fp16_to_fp32(w[b].d) * da) +
               static_cast<float>(q8_sum(a[b])) * (fp16_to_fp32(w[b].m) * da);
    }
    return sum;
}

float vec_dot_q8_0_q8_0(int64_t n, const BlockQ8_0 *w, const BlockQ8_0 *a) {
    float sum = 0.0f;
    for (int64_t b = 0; b < n / kQK32; ++b) {
        int isum = 0;
        for (int j = 0; j < kQK32; ++j) isum += w[b].qs[j] * a[b].qs[j];
        sum += static_cast<float>(isum) * (fp16_to_fp32(w[b].d) * fp16_to_fp32(a[b].d));
    }
    return sum;
}

}  // namespace lamina::quant
