// What the running CPU and OS can execute, probed with CPUID/XGETBV (x86) or getauxval (aarch64).
// cpu_features.cpp is compiled without ISA flags so probing itself never needs a newer CPU.
#pragma once

namespace lamina::cpu {

struct CpuFeatures {
    // x86: each flag already includes the OS check (XCR0 enables the YMM / ZMM register state).
    bool avx2 = false;       // AVX2 + FMA + F16C
    bool avx512 = false;     // AVX-512 F + BW + VL + DQ
    bool avx512_vnni = false;
    // aarch64
    bool neon = false;       // Advanced SIMD (always present on aarch64 Linux)
    bool neon_dotprod = false;  // SDOT/UDOT (ARMv8.2 dotprod)
    bool neon_fp16 = false;     // half-precision arithmetic
};

// Probed once per process.
const CpuFeatures &cpu_features();

}  // namespace lamina::cpu
