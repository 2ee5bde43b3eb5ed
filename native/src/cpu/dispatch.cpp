// Run-time choice of the kernel variant. Compiled without ISA flags: it only reads the probed
// features and hands out function tables; no SIMD instruction runs unless the CPU has it.
#include <cstdlib>
#include <string>

#include "cpu/cpu_features.h"
#include "cpu/kernels.h"
#include "cpu/variant_tables.h"

namespace lamina::cpu {
namespace {

Variant best_available() {
    if (variant_available(Variant::Avx512)) return Variant::Avx512;
    if (variant_available(Variant::Avx2)) return Variant::Avx2;
    if (variant_available(Variant::Neon)) return Variant::Neon;
    return Variant::Scalar;
}

const VariantChoice &selection() {
    static const VariantChoice s = choose_variant(std::getenv("LAMINA_CPU"));
    return s;
}

// The variant's own kernel for `type`, or nullptr (no fallback). `extensions` = false ignores
// the optional extensions (VNNI, dotprod) even when the CPU has them.
const DotKernel *own_kernel(GgmlType type, Variant v, bool extensions = true) {
    [[maybe_unused]] const CpuFeatures &f = cpu_features();
    switch (v) {
        case Variant::Scalar: return detail::scalar_dot_kernel(type);
#if defined(__x86_64__) || defined(_M_X64)
        case Variant::Avx2: return detail::avx2_dot_kernel(type);
        case Variant::Avx512:
            if (extensions && f.avx512_vnni) {
                if (const DotKernel *k = detail::avx512_vnni_dot_kernel(type)) return k;
            }
            return detail::avx512_dot_kernel(type);
#endif
#if defined(__aarch64__)
        case Variant::Neon:
            if (extensions && f.neon_dotprod) {
                if (const DotKernel *k = detail::neon_dotprod_dot_kernel(type)) return k;
            }
            return detail::neon_dot_kernel(type);
#endif
        default: return nullptr;
    }
}

}  // namespace

const char *variant_name(Variant v) {
    switch (v) {
        case Variant::Scalar: return "scalar";
        case Variant::Avx2: return "avx2";
        case Variant::Avx512: return "avx512";
        case Variant::Neon: return "neon";
    }
    return "unknown";
}

bool variant_available(Variant v) {
    const CpuFeatures &f = cpu_features();
    switch (v) {
        case Variant::Scalar: return true;
#if defined(__x86_64__) || defined(_M_X64)
        case Variant::Avx2: return f.avx2;
        case Variant::Avx512: return f.avx512;
#endif
#if defined(__aarch64__)
        case Variant::Neon: return f.neon;
#endif
        default: return false;
    }
}

VariantChoice choose_variant(const char *lamina_cpu) {
    if (lamina_cpu == nullptr || *lamina_cpu == '\0') return {best_available(), {}};
    const std::string want(lamina_cpu);
    for (Variant v : {Variant::Scalar, Variant::Avx2, Variant::Avx512, Variant::Neon}) {
        if (want != variant_name(v)) continue;
        if (variant_available(v)) return {v, {}};
        const Variant fallback = best_available();
        return {fallback, "LAMINA_CPU=" + want + ": this CPU/OS/build cannot run the " + want +
                              " kernels; using " + variant_name(fallback)};
    }
    const Variant fallback = best_available();
    return {fallback, "LAMINA_CPU=" + want +
                          ": unknown variant (expected scalar, avx2, avx512 or neon); using " +
                          variant_name(fallback)};
}

Variant active_variant() { return selection().variant; }

const char *variant_override_error() { return selection().override_error.c_str(); }

bool variant_implements(GgmlType type, Variant v) {
    return variant_available(v) && own_kernel(type, v) != nullptr;
}

namespace {
const DotKernel *chain_kernel(GgmlType type, Variant v, bool extensions) {
    if (!variant_available(v)) return nullptr;
    // A variant without its own kernel for a type uses the next lower one.
    static constexpr Variant x86_chain[] = {Variant::Avx512, Variant::Avx2, Variant::Scalar};
    static constexpr Variant arm_chain[] = {Variant::Neon, Variant::Scalar};
    const Variant *chain = x86_chain;
    size_t len = 3;
    if (v == Variant::Avx2) { chain = x86_chain + 1; len = 2; }
    else if (v == Variant::Scalar) { chain = x86_chain + 2; len = 1; }
    else if (v == Variant::Neon) { chain = arm_chain; len = 2; }
    for (size_t i = 0; i < len; ++i) {
        if (const DotKernel *k = own_kernel(type, chain[i], extensions)) return k;
    }
    return nullptr;
}
}  // namespace

const DotKernel *dot_kernel(GgmlType type, Variant v) { return chain_kernel(type, v, true); }

const DotKernel *dot_kernel_baseline(GgmlType type, Variant v) { return chain_kernel(type, v, false); }

const DotKernel *dot_kernel(GgmlType type) {
    static_assert(sizeof(GgmlType) == 4, "type ids are 32-bit");
    return dot_kernel(type, active_variant());
}

const AttentionKernel *attention_kernel(GgmlType type, Variant v) {
    if (!variant_available(v)) return nullptr;
    switch (v) {
        case Variant::Scalar: return detail::scalar_attention_kernel(type);
#if defined(__x86_64__) || defined(_M_X64)
        case Variant::Avx2: return detail::avx2_attention_kernel(type);
        case Variant::Avx512: return detail::avx512_attention_kernel(type);
#endif
#if defined(__aarch64__)
        case Variant::Neon: return detail::neon_attention_kernel(type);
#endif
        default: return nullptr;
    }
}

const LayerOps *layer_ops(Variant v) {
    if (!variant_available(v)) return nullptr;
    switch (v) {
        case Variant::Scalar: return detail::scalar_layer_ops();
#if defined(__x86_64__) || defined(_M_X64)
        case Variant::Avx2: return detail::avx2_layer_ops();
        case Variant::Avx512: return detail::avx512_layer_ops();
#endif
#if defined(__aarch64__)
        case Variant::Neon: return detail::neon_layer_ops();
#endif
        default: return nullptr;
    }
}

bool to_float(GgmlType type, const void *src, float *dst, int64_t n) {
    return detail::scalar_to_float(type, src, dst, n);
}

}  // namespace lamina::cpu
