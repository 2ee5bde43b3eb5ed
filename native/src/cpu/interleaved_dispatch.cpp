// Run-time choice of the interleaved-layout kernels (compiled without ISA flags, like dispatch.cpp).
#include "cpu/cpu_features.h"
#include "cpu/interleaved_tables.h"

namespace lamina::cpu {

const InterleavedKernel *interleaved_kernel(GgmlType type, Variant v, bool extensions) {
    if (!variant_available(v)) return nullptr;
    [[maybe_unused]] const CpuFeatures &f = cpu_features();
    switch (v) {
        case Variant::Scalar: return detail::scalar_interleaved_kernel(type);
#if defined(__x86_64__) || defined(_M_X64)
        case Variant::Avx2: return detail::avx2_interleaved_kernel(type);
        case Variant::Avx512:
            if (extensions && f.avx512_vnni) return detail::avx512_vnni_interleaved_kernel(type);
            return detail::avx512_interleaved_kernel(type);
#endif
#if defined(__aarch64__)
        case Variant::Neon: return extensions && f.neon_dotprod ? detail::neon_dotprod_interleaved_kernel(type) : nullptr;
#endif
        default: return nullptr;
    }
}

const InterleavedKernel *interleaved_kernel(GgmlType type) { return interleaved_kernel(type, active_variant()); }

}  // namespace lamina::cpu
