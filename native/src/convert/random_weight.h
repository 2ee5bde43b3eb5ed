// Counter-based randomness for synthesized files: the value of element i of tensor t depends
// only on (seed, t, i), so rows can be generated in any order on any thread and a file is
// reproducible from its seed.
#pragma once

#include <cmath>
#include <cstdint>

namespace lamina {

// Uniform in [-1, 1) scaled to standard deviation `stddev` (0.02 by default, as initialised
// models have).
inline float random_weight(uint64_t seed, uint64_t tensor, uint64_t index, double stddev = 0.02) {
    uint64_t z = seed ^ (tensor * 0x9E3779B97F4A7C15ull) ^ (index * 0xD1B54A32D192ED03ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    const double u = static_cast<double>(z >> 11) * 0x1.0p-52 - 1.0;
    return static_cast<float>(u * stddev * std::sqrt(3.0));
}

}  // namespace lamina
