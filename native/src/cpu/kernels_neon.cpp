// NEON kernels for any aarch64 CPU (armv8-a: widening multiplies, no dotprod). This file is
// built without +dotprod so the compiler cannot emit SDOT here on its own; the SDOT kernels live
// in kernels_dotprod_neon.cpp and run only when getauxval(AT_HWCAP) reports ASIMDDP.
#include "cpu/neon_kernels.h"
#include "cpu/variant_tables.h"

#if defined(__ARM_FEATURE_DOTPROD)
#error "kernels_neon.cpp must be compiled without +dotprod (see native/CMakeLists.txt)"
#endif

namespace lamina::cpu::detail {
namespace {

struct WideningPolicy {
    static int32x4_t dot16(int32x4_t acc, int8x16_t a, int8x16_t b) {
        const int16x8_t lo = vmull_s8(vget_low_s8(a), vget_low_s8(b));
        const int16x8_t hi = vmull_high_s8(a, b);
        return vpadalq_s16(vpadalq_s16(acc, lo), hi);
    }
};

using Kernels = NeonKernels<WideningPolicy>;

constexpr DotKernel kF32{GgmlType::F32, f32_bytes, f32_copy, neon_float_rows<NeonF32>, batch_by_rows<neon_float_rows<NeonF32>>};
constexpr DotKernel kF16{GgmlType::F32, f32_bytes, f32_copy, neon_float_rows<NeonF16>, batch_by_rows<neon_float_rows<NeonF16>>};
constexpr DotKernel kBF16{GgmlType::F32, f32_bytes, f32_copy, neon_float_rows<NeonBF16>, batch_by_rows<neon_float_rows<NeonBF16>>};

}  // namespace

const DotKernel *neon_dot_kernel(GgmlType type) {
    switch (type) {
        case GgmlType::F32: return &kF32;
        case GgmlType::F16: return &kF16;
        case GgmlType::BF16: return &kBF16;
        default: return Kernels::quant(type);
    }
}

}  // namespace lamina::cpu::detail
