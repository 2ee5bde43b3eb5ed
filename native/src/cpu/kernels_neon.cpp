// NEON kernels (aarch64), and separately the ones that need the dotprod extension.
#include "cpu/variant_tables.h"

namespace lamina::cpu::detail {

const DotKernel *neon_dot_kernel(GgmlType type) { return nullptr; }
const DotKernel *neon_dotprod_dot_kernel(GgmlType type) { return nullptr; }

}  // namespace lamina::cpu::detail
