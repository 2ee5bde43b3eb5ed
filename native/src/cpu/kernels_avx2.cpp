// AVX2 + FMA + F16C kernels (this file is compiled with those flags; dispatch.cpp only calls
// into it after cpu_features() confirmed the CPU and OS support them).
#include "cpu/variant_tables.h"

namespace lamina::cpu::detail {

const DotKernel *avx2_dot_kernel(GgmlType type) { return nullptr; }

}  // namespace lamina::cpu::detail
