// Internal: each variant's kernel table. A variant returns nullptr for types it does not
// implement itself; dispatch.cpp then falls back to the next lower variant (finally scalar).
#pragma once

#include "cpu/kernels.h"

namespace lamina::cpu::detail {

const DotKernel *scalar_dot_kernel(GgmlType type);
bool scalar_to_float(GgmlType type, const void *src, float *dst, int64_t n);

#if defined(__x86_64__) || defined(_M_X64)
const DotKernel *avx2_dot_kernel(GgmlType type);
const DotKernel *avx512_dot_kernel(GgmlType type);
// The AVX-512 kernels that use VNNI (VPDPBUSD); only consulted when the CPU has it.
const DotKernel *avx512_vnni_dot_kernel(GgmlType type);
#endif

#if defined(__aarch64__)
const DotKernel *neon_dot_kernel(GgmlType type);
// The kernels using SDOT; only consulted when the CPU has dotprod.
const DotKernel *neon_dotprod_dot_kernel(GgmlType type);
#endif

}  // namespace lamina::cpu::detail
