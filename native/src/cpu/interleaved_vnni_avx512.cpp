// Interleaved-layout kernels with VNNI: VPDPBUSD multiplies the 16 rows' unsigned nibbles with
// 4 broadcast activation bytes and adds the four products into each row's int32 in one step.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "cpu/interleaved_tables.h"
#include "cpu/x86_avx512_interleaved.h"

#if !defined(__AVX512VNNI__)
#error "interleaved_vnni_avx512.cpp needs -mavx512vnni (given to *_vnni_avx512.cpp by native/CMakeLists.txt)"
#endif

namespace lamina::cpu::detail {
namespace {
struct VnniPolicy {
    static constexpr bool kExact8Bit = true;  // whether dot4 takes any u8 x s8 without saturating
    static __m512i dot4(__m512i acc, __m512i u, __m512i s) { return _mm512_dpbusd_epi32(acc, u, s); }
};
}  // namespace

const InterleavedKernel *avx512_vnni_interleaved_kernel(GgmlType type) {
    return InterleavedTable<VnniPolicy>::get(type);
}

}  // namespace lamina::cpu::detail
