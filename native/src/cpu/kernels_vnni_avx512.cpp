// AVX-512 kernels using VNNI (VPDPBUSD: u8 x s8 products summed in fours straight into int32).
// dispatch.cpp consults this table only when cpu_features() reports AVX512_VNNI; float types
// are not here (they fall back to kernels_avx512.cpp).
// GCC 12 reports its own AVX-512 intrinsics (their _mm512_undefined_* operands) as "may be used
// uninitialized" (or "used uninitialized") once inlined; the warning is about the compiler's headers, not this code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "cpu/variant_tables.h"
#include "cpu/x86_avx512_kernels.h"

#if !defined(__AVX512VNNI__)
#error "kernels_vnni_avx512.cpp needs -mavx512vnni (given to *_avx512.cpp by native/CMakeLists.txt)"
#endif

namespace lamina::cpu::detail {
namespace {

struct VnniPolicy {
    static __m512i dot4(__m512i acc, __m512i u, __m512i s) { return _mm512_dpbusd_epi32(acc, u, s); }
    // Every int16 of a 128-bit lane holds the same scale: sign-extending the low half of each
    // 32-bit lane gives the int32 form VPMULLD needs.
    static __m512i scale_vec(__m256i lo, __m256i hi) {
        return _mm512_srai_epi32(_mm512_slli_epi32(combine256(lo, hi), 16), 16);
    }
    static __m512i scaled(__m512i u, __m512i s, __m512i sc) {
        return _mm512_mullo_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), u, s), sc);
    }
};

using Table = Avx512Table<VnniPolicy>;

}  // namespace

const DotKernel *avx512_vnni_dot_kernel(GgmlType type) { return Table::quant(type); }

}  // namespace lamina::cpu::detail
