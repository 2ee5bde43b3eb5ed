// AVX-512 (F/BW/VL/DQ) kernels, and separately the ones that need VNNI.
#include "cpu/variant_tables.h"

namespace lamina::cpu::detail {

const DotKernel *avx512_dot_kernel(GgmlType type) { return nullptr; }
const DotKernel *avx512_vnni_dot_kernel(GgmlType type) { return nullptr; }

}  // namespace lamina::cpu::detail
