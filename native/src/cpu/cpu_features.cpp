#include "cpu/cpu_features.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <cpuid.h>
#define LAMINA_X86 1
#elif defined(__aarch64__) && defined(__APPLE__)
#include <sys/sysctl.h>
#define LAMINA_AARCH64_APPLE 1
#elif defined(__aarch64__)
#include <sys/auxv.h>
#include <asm/hwcap.h>
#define LAMINA_AARCH64 1
#endif

namespace lamina::cpu {
namespace {

#if defined(LAMINA_X86)
// XGETBV by its encoding, so this file needs no -mxsave.
unsigned long long read_xcr0() {
    unsigned int eax = 0, edx = 0;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<unsigned long long>(edx) << 32) | eax;
}

CpuFeatures probe() {
    CpuFeatures f;
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool fma = (c >> 12) & 1;
    const bool osxsave = (c >> 27) & 1;
    const bool avx = (c >> 28) & 1;
    const bool f16c = (c >> 29) & 1;
    if (!osxsave || !avx) return f;  // without OSXSAVE, XGETBV itself is an illegal instruction
    const unsigned long long xcr0 = read_xcr0();
    const bool os_ymm = (xcr0 & 0x6) == 0x6;     // SSE + AVX state
    const bool os_zmm = (xcr0 & 0xE6) == 0xE6;   // + opmask, ZMM_Hi256, Hi16_ZMM
    if (__get_cpuid_max(0, nullptr) < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    const bool avx2 = (b >> 5) & 1;
    const bool avx512f = (b >> 16) & 1;
    const bool avx512dq = (b >> 17) & 1;
    const bool avx512bw = (b >> 30) & 1;
    const bool avx512vl = (b >> 31) & 1;
    const bool avx512vnni = (c >> 11) & 1;
    f.avx2 = os_ymm && avx2 && fma && f16c;
    f.avx512 = f.avx2 && os_zmm && avx512f && avx512dq && avx512bw && avx512vl;
    f.avx512_vnni = f.avx512 && avx512vnni;
    return f;
}
#elif defined(LAMINA_AARCH64)
CpuFeatures probe() {
    CpuFeatures f;
    const unsigned long hw = getauxval(AT_HWCAP);
    f.neon = (hw & HWCAP_ASIMD) != 0;
#ifdef HWCAP_ASIMDDP
    f.neon_dotprod = f.neon && (hw & HWCAP_ASIMDDP) != 0;
#endif
#ifdef HWCAP_ASIMDHP
    f.neon_fp16 = f.neon && (hw & HWCAP_ASIMDHP) != 0;
#endif
    return f;
}
#elif defined(LAMINA_AARCH64_APPLE)
// macOS has no auxv: it reports each ARMv8 extension as a sysctl (every Apple arm64 CPU has NEON).
bool sysctl_flag(const char *name) {
    int value = 0;
    size_t size = sizeof value;
    return sysctlbyname(name, &value, &size, nullptr, 0) == 0 && value != 0;
}

CpuFeatures probe() {
    CpuFeatures f;
    f.neon = true;
    f.neon_dotprod = sysctl_flag("hw.optional.arm.FEAT_DotProd");
    f.neon_fp16 = sysctl_flag("hw.optional.arm.FEAT_FP16");
    return f;
}
#else
CpuFeatures probe() { return {}; }
#endif

}  // namespace

const CpuFeatures &cpu_features() {
    static const CpuFeatures features = probe();
    return features;
}

}  // namespace lamina::cpu
