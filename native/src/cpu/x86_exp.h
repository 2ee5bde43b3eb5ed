// exp(x) over float lanes for the layer operations, in AVX2 and AVX-512 forms: within 2 ulp of
// expf over its whole range (overflow to +inf above ln(FLT_MAX), subnormal results down to
// -104, 0 below). Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, then Cephes' degree-7
// expf polynomial; 2^n is applied in two halves so n = 128 and subnormal results need no
// special case. Internal linkage, like the other x86 kernel headers.
#pragma once

#include <immintrin.h>

namespace lamina::cpu::detail {
namespace {

constexpr float kExpHi = 88.72283935546875f;  // ln(FLT_MAX): above it expf is +inf
constexpr float kExpLo = -104.0f;             // below it expf is 0
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;        // ln 2 split so n * kLn2Hi is exact
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kExpP[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                            4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

#if defined(__AVX2__) && defined(__FMA__)
inline __m256 exp_ps(__m256 x) {
    const __m256 overflow = _mm256_cmp_ps(x, _mm256_set1_ps(kExpHi), _CMP_GT_OQ);
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(kExpLo)), _mm256_set1_ps(kExpHi));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
    __m256 p = _mm256_set1_ps(kExpP[0]);
    for (int i = 1; i < 6; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP[i]));
    const __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
    const __m256i ni = _mm256_cvtps_epi32(n), a = _mm256_srai_epi32(ni, 1), b = _mm256_sub_epi32(ni, a);
    const __m256 two_a = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(a, _mm256_set1_epi32(127)), 23));
    const __m256 two_b = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(b, _mm256_set1_epi32(127)), 23));
    return _mm256_blendv_ps(_mm256_mul_ps(_mm256_mul_ps(y, two_a), two_b), _mm256_set1_ps(__builtin_inff()), overflow);
}
#endif

#if defined(__AVX512F__)
inline __m512 exp_ps(__m512 x) {
    const __mmask16 overflow = _mm512_cmp_ps_mask(x, _mm512_set1_ps(kExpHi), _CMP_GT_OQ);
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(kExpLo)), _mm512_set1_ps(kExpHi));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Hi), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(kLn2Lo), r);
    __m512 p = _mm512_set1_ps(kExpP[0]);
    for (int i = 1; i < 6; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpP[i]));
    const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
    const __m512i ni = _mm512_cvtps_epi32(n), a = _mm512_srai_epi32(ni, 1), b = _mm512_sub_epi32(ni, a);
    const __m512 two_a = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(a, _mm512_set1_epi32(127)), 23));
    const __m512 two_b = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(b, _mm512_set1_epi32(127)), 23));
    return _mm512_mask_blend_ps(overflow, _mm512_mul_ps(_mm512_mul_ps(y, two_a), two_b), _mm512_set1_ps(__builtin_inff()));
}
#endif

}  // namespace
}  // namespace lamina::cpu::detail
