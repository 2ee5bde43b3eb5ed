// Internal: each variant's interleaved-layout kernels (cpu/interleaved_kernels.h). nullptr for a
// type the variant has none for; unlike DotKernel there is no fallback to a lower variant.
#pragma once

#include "cpu/interleaved_kernels.h"

namespace lamina::cpu::detail {

const InterleavedKernel *scalar_interleaved_kernel(GgmlType type);
#if defined(__x86_64__) || defined(_M_X64)
const InterleavedKernel *avx2_interleaved_kernel(GgmlType type);
const InterleavedKernel *avx512_interleaved_kernel(GgmlType type);
const InterleavedKernel *avx512_vnni_interleaved_kernel(GgmlType type);
#endif
#if defined(__aarch64__)
// Only consulted when the CPU has dotprod (SDOT's lane form does the broadcast).
const InterleavedKernel *neon_dotprod_interleaved_kernel(GgmlType type);
#endif

}  // namespace lamina::cpu::detail
