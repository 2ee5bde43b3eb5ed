// AVX-512 (F/BW/VL/DQ) kernels without VNNI, for AVX-512 CPUs that lack it. This file is built
// without -mavx512vnni (GCC would otherwise turn plain int8 loops into VPDPBUSD on its own);
// the VNNI kernels live in kernels_vnni_avx512.cpp and only run when cpu_features() reports VNNI.
// GCC 12 reports its own AVX-512 intrinsics (their _mm512_undefined_* operands) as "may be used
// uninitialized" (or "used uninitialized") once inlined; the warning is about the compiler's headers, not this code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "cpu/variant_tables.h"
#include "cpu/x86_avx512_kernels.h"

#if defined(__AVX512VNNI__)
#error "kernels_avx512.cpp must be compiled without -mavx512vnni (see native/CMakeLists.txt)"
#endif

namespace lamina::cpu::detail {
namespace {

struct MaddPolicy {
    static __m512i dot4(__m512i acc, __m512i u, __m512i s) {
        return _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_maddubs_epi16(u, s), _mm512_set1_epi16(1)));
    }
    // VPMADDWD does the pairwise sum and the scaling at once: scales stay int16.
    static __m512i scale_vec(__m256i lo, __m256i hi) { return combine256(lo, hi); }
    static __m512i scaled(__m512i u, __m512i s, __m512i sc) {
        return _mm512_madd_epi16(_mm512_maddubs_epi16(u, s), sc);
    }
};

using Table = Avx512Table<MaddPolicy>;

}  // namespace

const DotKernel *avx512_dot_kernel(GgmlType type) {
    if (const DotKernel *k = Table::floats(type)) return k;
    return Table::quant(type);
}

}  // namespace lamina::cpu::detail
