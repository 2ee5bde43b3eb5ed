// NEON kernels using SDOT (ARMv8.2 dotprod). dispatch.cpp consults this table only when
// getauxval(AT_HWCAP) reports ASIMDDP; float types are not here (kernels_neon.cpp has them).
#include "cpu/neon_kernels.h"
#include "cpu/variant_tables.h"

#if !defined(__ARM_FEATURE_DOTPROD)
#error "kernels_dotprod_neon.cpp needs +dotprod (given to *_dotprod_neon.cpp by native/CMakeLists.txt)"
#endif

namespace lamina::cpu::detail {
namespace {

struct DotprodPolicy {
    static int32x4_t dot16(int32x4_t acc, int8x16_t a, int8x16_t b) { return vdotq_s32(acc, a, b); }
};

using Kernels = NeonKernels<DotprodPolicy>;

}  // namespace

const DotKernel *neon_dotprod_dot_kernel(GgmlType type) { return Kernels::quant(type); }

}  // namespace lamina::cpu::detail
