// Interleaved-layout kernels for AVX-512 CPUs without VNNI (built without -mavx512vnni, see
// kernels_avx512.cpp for why).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "cpu/interleaved_tables.h"
#include "cpu/x86_avx512_interleaved.h"

#if defined(__AVX512VNNI__)
#error "interleaved_avx512.cpp must be compiled without -mavx512vnni (see native/CMakeLists.txt)"
#endif

namespace lamina::cpu::detail {
namespace {
struct MaddPolicy {
    // u8 nibbles (<= 15) times s8: each VPMADDUBSW pair sum stays far below int16 saturation.
    static constexpr bool kExact8Bit = false;  // whether dot4 takes any u8 x s8 without saturating
    static __m512i dot4(__m512i acc, __m512i u, __m512i s) {
        return _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_maddubs_epi16(u, s), _mm512_set1_epi16(1)));
    }
};
}  // namespace

const InterleavedKernel *avx512_interleaved_kernel(GgmlType type) { return InterleavedTable<MaddPolicy>::get(type); }

}  // namespace lamina::cpu::detail
