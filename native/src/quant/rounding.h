// Rounding helpers shared by the reference quantizers.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace lamina::quant {

// Round to nearest, ties to even, for |x| < 2^22: adding 1.5 * 2^23 puts the integer in the low
// mantissa bits (the FPU's default rounding does the work). Same results as ggml's nearest_int,
// which the K-quant searches depend on for reproducible choices.
inline int nearest_int(float x) {
    float v = x + 12582912.f;
    int32_t i;
    std::memcpy(&i, &v, sizeof i);
    return (i & 0x007fffff) - 0x00400000;
}

template <typename T>
inline T clamp_to(T v, T lo, T hi) { return v < lo ? lo : (v > hi ? hi : v); }

}  // namespace lamina::quant
