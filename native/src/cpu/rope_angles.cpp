#include <cmath>

#include "cpu/layer_ops.h"

namespace lamina::cpu {

void rope_angles(int32_t pos, int32_t n_rot, float freq_base, float freq_scale, const float *freq_divisors,
                 float *cos_out, float *sin_out) {
    for (int32_t i = 0; i < n_rot / 2; ++i) {
        double theta = static_cast<double>(pos) * freq_scale *
                       std::pow(static_cast<double>(freq_base), -2.0 * i / n_rot);
        if (freq_divisors != nullptr) theta /= freq_divisors[i];
        cos_out[i] = static_cast<float>(std::cos(theta));
        sin_out[i] = static_cast<float>(std::sin(theta));
    }
}

}  // namespace lamina::cpu
