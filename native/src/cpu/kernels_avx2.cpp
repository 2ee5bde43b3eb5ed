// AVX2 + FMA + F16C kernels (this file is compiled with those flags; dispatch.cpp only calls
// into it after cpu_features() confirmed the CPU and OS support them). See x86_avx2_helpers.h
// for why everything here has internal linkage.
#include "cpu/variant_tables.h"
#include "cpu/x86_avx2_helpers.h"

namespace lamina::cpu::detail {
namespace {

// ---- float weights (activations stay F32) ----------------------------------------------------

struct LoadF32 {
    static __m256 load8(const void *row, int64_t i) { return _mm256_loadu_ps(static_cast<const float *>(row) + i); }
    static float load1(const void *row, int64_t i) { return static_cast<const float *>(row)[i]; }
};
struct LoadF16 {
    static __m256 load8(const void *row, int64_t i) {
        return _mm256_cvtph_ps(loadu128(static_cast<const uint16_t *>(row) + i));
    }
    static float load1(const void *row, int64_t i) { return h2f(static_cast<const uint16_t *>(row)[i]); }
};
struct LoadBF16 {
    static __m256 load8(const void *row, int64_t i) {
        const __m256i w = _mm256_cvtepu16_epi32(loadu128(static_cast<const uint16_t *>(row) + i));
        return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
    }
    static float load1(const void *row, int64_t i) {
        const uint32_t bits = static_cast<uint32_t>(static_cast<const uint16_t *>(row)[i]) << 16;
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

// ---- 32-element formats against Q8_0 ---------------------------------------------------------
// Each block contributes (integer dot) * d_w * d_a, accumulated in 8 float lanes.

template <typename Block, typename BlockDot>
void q32_dot_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
    const BlockQ8_0 *a = static_cast<const BlockQ8_0 *>(act);
    const int64_t nb = k / kQK32;
    for (int64_t r = 0; r < n_rows; ++r) {
        const Block *x = reinterpret_cast<const Block *>(static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride);
        __m256 acc = _mm256_setzero_ps(), acc_min = _mm256_setzero_ps();
        for (int64_t b = 0; b < nb; ++b) BlockDot::accumulate(x[b], a[b], acc, acc_min);
        out[r] = hsum_ps(_mm256_add_ps(acc, acc_min));
    }
}

struct Q4_0Dot {
    static void accumulate(const BlockQ4_0 &x, const BlockQ8_0 &y, __m256 &acc, __m256 &) {
        const __m256i q = _mm256_sub_epi8(nibbles_32(x.qs), _mm256_set1_epi8(8));
        const __m256i p = dot_s8_s8(q, loadu256(y.qs));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(h2f(x.d) * h2f(y.d)), acc);
    }
};
struct Q4_1Dot {
    static void accumulate(const BlockQ4_1 &x, const BlockQ8_0 &y, __m256 &acc, __m256 &acc_min) {
        const __m256i ya = loadu256(y.qs);
        const __m256i p = dot_u8_s8(nibbles_32(x.qs), ya);
        const __m256i s = dot_u8_s8(_mm256_set1_epi8(1), ya);  // activation sum, spread over lanes
        const float da = h2f(y.d);
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(h2f(x.d) * da), acc);
        acc_min = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(h2f(x.m) * da), acc_min);
    }
};
struct Q5_0Dot {
    static void accumulate(const BlockQ5_0 &x, const BlockQ8_0 &y, __m256 &acc, __m256 &) {
        // level - 16 = nibble when the 5th bit is set, else nibble - 16 = nibble | 0xF0 (int8).
        const __m256i hi = _mm256_andnot_si256(bits_to_bytes(load_u32(x.qh)), _mm256_set1_epi8(static_cast<char>(0xF0)));
        const __m256i q = _mm256_or_si256(nibbles_32(x.qs), hi);
        const __m256i p = dot_s8_s8(q, loadu256(y.qs));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(h2f(x.d) * h2f(y.d)), acc);
    }
};
struct Q5_1Dot {
    static void accumulate(const BlockQ5_1 &x, const BlockQ8_0 &y, __m256 &acc, __m256 &acc_min) {
        const __m256i hi = _mm256_and_si256(bits_to_bytes(load_u32(x.qh)), _mm256_set1_epi8(0x10));
        const __m256i q = _mm256_or_si256(nibbles_32(x.qs), hi);
        const __m256i ya = loadu256(y.qs);
        const __m256i p = dot_u8_s8(q, ya);
        const __m256i s = dot_u8_s8(_mm256_set1_epi8(1), ya);
        const float da = h2f(y.d);
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(h2f(x.d) * da), acc);
        acc_min = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(h2f(x.m) * da), acc_min);
    }
};
struct Q8_0Dot {
    static void accumulate(const BlockQ8_0 &x, const BlockQ8_0 &y, __m256 &acc, __m256 &) {
        const __m256i p = dot_s8_s8(loadu256(x.qs), loadu256(y.qs));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(h2f(x.d) * h2f(y.d)), acc);
    }
};

// ---- K formats against Q8_K ------------------------------------------------------------------
// Per super-block the integer sum is exact (as in the scalar reference), then one or two float
// terms: d_a * d_w * isum [- d_a * dmin_w * msum].

// 16-wide sub-blocks (Q2_K, Q3_K, Q6_K): vector v covers sub-blocks 2v (low 128 bits) and 2v+1.
template <typename Levels, typename Block>
int sum16_subblocks(const Block &x, const BlockQ8_K &y, const int16_t *scales) {
    const Levels lv(x);
    __m256i sumi = _mm256_setzero_si256();
    for (int v = 0; v < 8; ++v) {
        const __m256i p = _mm256_maddubs_epi16(lv.get(v), loadu256(y.qs + 32 * v));
        const __m256i sc = _mm256_set_m128i(_mm_set1_epi16(scales[2 * v + 1]), _mm_set1_epi16(scales[2 * v]));
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, sc));
    }
    return hsum_epi32(sumi);
}

// 32-wide sub-blocks (Q4_K, Q5_K).
template <typename Levels, typename Block>
int sum32_subblocks(const Block &x, const BlockQ8_K &y, const uint8_t *scales) {
    const Levels lv(x);
    __m256i sumi = _mm256_setzero_si256();
    for (int v = 0; v < 8; ++v) {
        const __m256i p = _mm256_maddubs_epi16(lv.get(v), loadu256(y.qs + 32 * v));
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, _mm256_set1_epi16(scales[v])));
    }
    return hsum_epi32(sumi);
}

struct Q2KDot {
    static float block(const BlockQ2_K &x, const BlockQ8_K &y) {
        int16_t sc[16], mn[16];
        for (int j = 0; j < 16; ++j) {
            sc[j] = x.scales[j] & 0xF;
            mn[j] = x.scales[j] >> 4;
        }
        const int isum = sum16_subblocks<Q2KLevels>(x, y, sc);
        const int msum = bsum_dot16(y.bsums, mn);
        return y.d * h2f(x.d) * static_cast<float>(isum) - y.d * h2f(x.dmin) * static_cast<float>(msum);
    }
};
struct Q3KDot {
    static float block(const BlockQ3_K &x, const BlockQ8_K &y) {
        int8_t s8[16];
        q3_K_scales(x.scales, s8);
        int16_t sc[16];
        for (int j = 0; j < 16; ++j) sc[j] = s8[j];
        // Levels are stored +4: subtract 4 * sum(sc_j * bsum_j).
        const int isum = sum16_subblocks<Q3KLevels>(x, y, sc) - 4 * bsum_dot16(y.bsums, sc);
        return y.d * h2f(x.d) * static_cast<float>(isum);
    }
};
struct Q4KDot {
    static float block(const BlockQ4_K &x, const BlockQ8_K &y) {
        uint8_t sc[8], mn[8];
        k_scales_mins(x.scales, sc, mn);
        int16_t mn16[16];
        for (int j = 0; j < 8; ++j) mn16[2 * j] = mn16[2 * j + 1] = mn[j];
        const int isum = sum32_subblocks<Q4KLevels>(x, y, sc);
        const int msum = bsum_dot16(y.bsums, mn16);
        return y.d * h2f(x.d) * static_cast<float>(isum) - y.d * h2f(x.dmin) * static_cast<float>(msum);
    }
};
struct Q5KDot {
    static float block(const BlockQ5_K &x, const BlockQ8_K &y) {
        uint8_t sc[8], mn[8];
        k_scales_mins(x.scales, sc, mn);
        int16_t mn16[16];
        for (int j = 0; j < 8; ++j) mn16[2 * j] = mn16[2 * j + 1] = mn[j];
        const int isum = sum32_subblocks<Q5KLevels>(x, y, sc);
        const int msum = bsum_dot16(y.bsums, mn16);
        return y.d * h2f(x.d) * static_cast<float>(isum) - y.d * h2f(x.dmin) * static_cast<float>(msum);
    }
};
struct Q6KDot {
    static float block(const BlockQ6_K &x, const BlockQ8_K &y) {
        int16_t sc[16];
        for (int j = 0; j < 16; ++j) sc[j] = x.scales[j];
        const int isum = sum16_subblocks<Q6KLevels>(x, y, sc) - 32 * bsum_dot16(y.bsums, sc);
        return y.d * h2f(x.d) * static_cast<float>(isum);
    }
};

template <typename Block, typename BlockDot>
void k_dot_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act, float *out) {
    const BlockQ8_K *a = static_cast<const BlockQ8_K *>(act);
    const int64_t nb = k / kQK_K;
    for (int64_t r = 0; r < n_rows; ++r) {
        const Block *x = reinterpret_cast<const Block *>(static_cast<const char *>(w) + static_cast<size_t>(r) * w_stride);
        float sum = 0.0f;
        for (int64_t b = 0; b < nb; ++b) sum += BlockDot::block(x[b], a[b]);
        out[r] = sum;
    }
}

constexpr DotKernel kF32{GgmlType::F32, f32_bytes, f32_copy, float_dot_rows<LoadF32>};
constexpr DotKernel kF16{GgmlType::F32, f32_bytes, f32_copy, float_dot_rows<LoadF16>};
constexpr DotKernel kBF16{GgmlType::F32, f32_bytes, f32_copy, float_dot_rows<LoadBF16>};
constexpr DotKernel kQ4_0{GgmlType::Q8_0, q8_0_bytes, quantize_q8_0_avx2, q32_dot_rows<BlockQ4_0, Q4_0Dot>};
constexpr DotKernel kQ4_1{GgmlType::Q8_0, q8_0_bytes, quantize_q8_0_avx2, q32_dot_rows<BlockQ4_1, Q4_1Dot>};
constexpr DotKernel kQ5_0{GgmlType::Q8_0, q8_0_bytes, quantize_q8_0_avx2, q32_dot_rows<BlockQ5_0, Q5_0Dot>};
constexpr DotKernel kQ5_1{GgmlType::Q8_0, q8_0_bytes, quantize_q8_0_avx2, q32_dot_rows<BlockQ5_1, Q5_1Dot>};
constexpr DotKernel kQ8_0{GgmlType::Q8_0, q8_0_bytes, quantize_q8_0_avx2, q32_dot_rows<BlockQ8_0, Q8_0Dot>};
constexpr DotKernel kQ2_K{GgmlType::Q8_K, q8_K_bytes, quantize_q8_K_avx2, k_dot_rows<BlockQ2_K, Q2KDot>};
constexpr DotKernel kQ3_K{GgmlType::Q8_K, q8_K_bytes, quantize_q8_K_avx2, k_dot_rows<BlockQ3_K, Q3KDot>};
constexpr DotKernel kQ4_K{GgmlType::Q8_K, q8_K_bytes, quantize_q8_K_avx2, k_dot_rows<BlockQ4_K, Q4KDot>};
constexpr DotKernel kQ5_K{GgmlType::Q8_K, q8_K_bytes, quantize_q8_K_avx2, k_dot_rows<BlockQ5_K, Q5KDot>};
constexpr DotKernel kQ6_K{GgmlType::Q8_K, q8_K_bytes, quantize_q8_K_avx2, k_dot_rows<BlockQ6_K, Q6KDot>};

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
