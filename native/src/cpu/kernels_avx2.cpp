// AVX2 + FMA + F16C kernels (this file is compiled with those flags; dispatch.cpp only calls
// into it after cpu_features() confirmed the CPU and OS support them). See x86_avx2_helpers.h
// for why everything here has internal linkage.
#include "cpu/variant_tables.h"
#include "cpu/x86_avx2_helpers.h"
#include "cpu/x86_avx2_formats.h"

namespace lamina::cpu::detail {
namespace {

// ---- float weights (activations stay F32) ----------------------------------------------------

struct LoadF32 {
    static __m256 load8(const void *row, int64_t i) { return _mm256_loadu_ps(static_cast<const float *>(row) + i); }
    static float load1(const void *row, int64_t i) {  // rows may be unaligned: memcpy, not a float load
        float v;
        std::memcpy(&v, static_cast<const char *>(row) + 4 * i, 4);
        return v;
    }
};
struct LoadF16 {
    static __m256 load8(const void *row, int64_t i) {
        return _mm256_cvtph_ps(loadu128(static_cast<const uint16_t *>(row) + i));
    }
    static float load1(const void *row, int64_t i) {
        uint16_t h;
        std::memcpy(&h, static_cast<const char *>(row) + 2 * i, 2);
        return h2f(h);
    }
};
struct LoadBF16 {
    static __m256 load8(const void *row, int64_t i) {
        const __m256i w = _mm256_cvtepu16_epi32(loadu128(static_cast<const uint16_t *>(row) + i));
        return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
    }
    static float load1(const void *row, int64_t i) {
        uint16_t h;
        std::memcpy(&h, static_cast<const char *>(row) + 2 * i, 2);
        const uint32_t bits = static_cast<uint32_t>(h) << 16;
        float f;
        std::memcpy(&f, &bits, sizeof f);
        return f;
    }
};

template <typename Load>
void float_dot_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
    const float *x = static_cast<const float *>(act);
    for (int64_t r = 0; r < n_rows; ++r) {
        const void *row = static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride;
        __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
        int64_t i = 0;
        for (; i + 32 <= k; i += 32)
            for (int u = 0; u < 4; ++u)
                acc[u] = _mm256_fmadd_ps(Load::load8(row, i + 8 * u), _mm256_loadu_ps(x + i + 8 * u), acc[u]);
        for (; i + 8 <= k; i += 8) acc[0] = _mm256_fmadd_ps(Load::load8(row, i), _mm256_loadu_ps(x + i), acc[0]);
        float sum = hsum_ps(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
        for (; i < k; ++i) sum += Load::load1(row, i) * x[i];
        out[r] = sum;
    }
}

// Several activation rows at once: each weight vector is loaded/converted once for up to 4.
template <typename Load, int T>
void float_tile(int64_t k, const void *row, const float *x, size_t x_stride, float *out, size_t out_stride) {
    __m256 acc[T];
    for (int t = 0; t < T; ++t) acc[t] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= k; i += 8) {
        const __m256 wv = Load::load8(row, i);
        for (int t = 0; t < T; ++t) acc[t] = _mm256_fmadd_ps(wv, _mm256_loadu_ps(x + t * x_stride + i), acc[t]);
    }
    for (int t = 0; t < T; ++t) {
        float sum = hsum_ps(acc[t]);
        for (int64_t j = i; j < k; ++j) sum += Load::load1(row, j) * x[t * x_stride + j];
        out[t * out_stride] = sum;
    }
}

// 4 weight rows x 2 activation rows (8 accumulators of the 16 YMM registers): each converted
// weight vector serves 2 FMAs and each activation vector 4, so loads stop being the limit.
template <typename Load>
void float_tile4x2(int64_t k, const void *w, size_t w_stride, const float *x, size_t x_stride, float *out,
                   size_t out_stride) {
    __m256 acc[4][2];
    for (auto &row : acc) row[0] = row[1] = _mm256_setzero_ps();
    const char *rows = static_cast<const char *>(w);
    int64_t i = 0;
    for (; i + 8 <= k; i += 8) {
        const __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + x_stride + i);
        for (int r = 0; r < 4; ++r) {
            const __m256 wv = Load::load8(rows + r * w_stride, i);
            acc[r][0] = _mm256_fmadd_ps(wv, x0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(wv, x1, acc[r][1]);
        }
    }
    for (int r = 0; r < 4; ++r) {
        for (int t = 0; t < 2; ++t) {
            float sum = hsum_ps(acc[r][t]);
            for (int64_t j = i; j < k; ++j) sum += Load::load1(rows + r * w_stride, j) * x[t * x_stride + j];
            out[t * out_stride + r] = sum;
        }
    }
}

template <typename Load>
void float_batch(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, size_t act_stride,
                 int64_t n_act, float *out, size_t out_stride) {
    const size_t xs = act_stride / sizeof(float);  // activation rows are float rows here
    int64_t r = 0;
    // Full 4x2 tiles first; leftover rows and tokens take the one-row tiles below.
    const int64_t full_t = n_act / 2 * 2;
    if (full_t > 0) {
        for (; r + 4 <= n_rows; r += 4) {
            const void *rows = static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride;
            for (int64_t t0 = 0; t0 < full_t; t0 += 2) {
                float_tile4x2<Load>(k, rows, w_stride, static_cast<const float *>(act) + static_cast<size_t>(t0) * xs, xs,
                                    out + static_cast<size_t>(t0) * out_stride + r, out_stride);
            }
            for (int64_t t = full_t; t < n_act; ++t) {
                float_dot_rows<Load>(k, rows, w_stride, 4, static_cast<const float *>(act) + static_cast<size_t>(t) * xs,
                                     out + static_cast<size_t>(t) * out_stride + r);
            }
        }
    }
    for (; r < n_rows; ++r) {
        const void *row = static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride;
        for (int64_t t0 = 0; t0 < n_act; t0 += 4) {
            const float *x = static_cast<const float *>(act) + static_cast<size_t>(t0) * xs;
            float *o = out + static_cast<size_t>(t0) * out_stride + r;
            switch (n_act - t0 < 4 ? n_act - t0 : 4) {
                case 1: float_tile<Load, 1>(k, row, x, xs, o, out_stride); break;
                case 2: float_tile<Load, 2>(k, row, x, xs, o, out_stride); break;
                case 3: float_tile<Load, 3>(k, row, x, xs, o, out_stride); break;
                default: float_tile<Load, 4>(k, row, x, xs, o, out_stride); break;
            }
        }
    }
}

template <typename F>
constexpr DotKernel q32_kernel() {
    return {GgmlType::Q8_0, q8_0_bytes, quantize_q8_0_avx2, q32_rows<F>, q32_batch<F>};
}
template <typename F>
constexpr DotKernel k_kernel() {
    return {GgmlType::Q8_K, q8_K_bytes, quantize_q8_K_avx2, k_rows<F>, k_batch<F>};
}

constexpr DotKernel kF32{GgmlType::F32, f32_bytes, f32_copy, float_dot_rows<LoadF32>, float_batch<LoadF32>};
constexpr DotKernel kF16{GgmlType::F32, f32_bytes, f32_copy, float_dot_rows<LoadF16>, float_batch<LoadF16>};
constexpr DotKernel kBF16{GgmlType::F32, f32_bytes, f32_copy, float_dot_rows<LoadBF16>, float_batch<LoadBF16>};
// The signed formats take the paired-row batch tile.
template <typename F>
constexpr DotKernel q32_signed_kernel() {
    return {GgmlType::Q8_0, q8_0_bytes, quantize_q8_0_avx2, q32_rows<F>, q32_signed_batch<F>};
}
constexpr DotKernel kQ4_0 = q32_signed_kernel<Q4_0Fmt>();
constexpr DotKernel kQ4_1 = q32_kernel<Q4_1Fmt>();
constexpr DotKernel kQ5_0 = q32_signed_kernel<Q5_0Fmt>();
constexpr DotKernel kQ5_1 = q32_kernel<Q5_1Fmt>();
constexpr DotKernel kQ8_0 = q32_signed_kernel<Q8_0Fmt>();
constexpr DotKernel kQ2_K = k_kernel<Q2KFmt>();
constexpr DotKernel kQ3_K = k_kernel<Q3KFmt>();
constexpr DotKernel kQ4_K = k_kernel<Q4KFmt>();
constexpr DotKernel kQ5_K = k_kernel<Q5KFmt>();
constexpr DotKernel kQ6_K = k_kernel<Q6KFmt>();

}  // namespace

const DotKernel *avx2_dot_kernel(GgmlType type) {
    switch (type) {
        case GgmlType::F32: return &kF32;
        case GgmlType::F16: return &kF16;
        case GgmlType::BF16: return &kBF16;
        case GgmlType::Q4_0: return &kQ4_0;
        case GgmlType::Q4_1: return &kQ4_1;
        case GgmlType::Q5_0: return &kQ5_0;
        case GgmlType::Q5_1: return &kQ5_1;
        case GgmlType::Q8_0: return &kQ8_0;
        case GgmlType::Q2_K: return &kQ2_K;
        case GgmlType::Q3_K: return &kQ3_K;
        case GgmlType::Q4_K: return &kQ4_K;
        case GgmlType::Q5_K: return &kQ5_K;
        case GgmlType::Q6_K: return &kQ6_K;
        default: return nullptr;
    }
}

}  // namespace lamina::cpu::detail
