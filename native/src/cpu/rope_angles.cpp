#include <algorithm>
#include <cmath>

#include "cpu/layer_ops.h"

namespace lamina::cpu {
namespace {

// The rotary dimension whose wavelength makes n_rotations turns over the original context.
double yarn_corr_dim(int32_t n_rot, int32_t n_ctx_orig, double n_rotations, double base) {
    return n_rot * std::log(n_ctx_orig / (n_rotations * 2 * M_PI)) / (2 * std::log(base));
}

}  // namespace

RopeParams rope_params(const ModelHparams &hp, bool swa) {
    RopeParams p;
    p.n_rot = hp.n_rot;
    p.freq_base = hp.rope_freq_base;
    p.freq_scale = hp.rope_freq_scale;
    p.mscale = hp.rope_attn_factor;
    if (swa && hp.has_swa_rope()) {
        // Gemma 3's local layers: their own base, and the file's scaling does not apply.
        p.freq_base = hp.rope_freq_base_swa;
        p.freq_scale = hp.rope_freq_scale_swa;
        return p;
    }
    if (hp.rope_yarn && hp.rope_freq_scale != 1.0f) {
        // YaRN: dimensions below corr_lo keep extrapolated angles, those above corr_hi the
        // interpolated ones, a linear ramp between; cos/sin grow with the scale (as llama.cpp).
        p.ext_factor = 1.0f;
        const double lo = std::floor(yarn_corr_dim(hp.n_rot, hp.rope_n_ctx_orig, hp.rope_yarn_beta_fast, hp.rope_freq_base));
        const double hi = std::ceil(yarn_corr_dim(hp.n_rot, hp.rope_n_ctx_orig, hp.rope_yarn_beta_slow, hp.rope_freq_base));
        p.corr_lo = static_cast<float>(std::max(0.0, lo));
        p.corr_hi = static_cast<float>(std::min(static_cast<double>(hp.n_rot - 1), hi));
    }
    return p;
}

void rope_angles(int32_t pos, const RopeParams &p, const float *freq_divisors, float *cos_out, float *sin_out) {
    for (int32_t i = 0; i < p.n_rot / 2; ++i) {
        double extrap = static_cast<double>(pos) * std::pow(static_cast<double>(p.freq_base), -2.0 * i / p.n_rot);
        if (freq_divisors != nullptr) extrap /= freq_divisors[i];
        double theta = extrap * p.freq_scale;
        double mscale = p.mscale;
        if (p.ext_factor != 0.0f) {
            const double y = (i - p.corr_lo) / std::max(0.001f, p.corr_hi - p.corr_lo);
            const double ramp = (1.0 - std::min(1.0, std::max(0.0, y))) * p.ext_factor;
            theta = theta * (1 - ramp) + extrap * ramp;
            mscale *= 1.0f + 0.1f * std::log(1.0f / p.freq_scale);
        }
        cos_out[i] = static_cast<float>(std::cos(theta) * mscale);
        sin_out[i] = static_cast<float>(std::sin(theta) * mscale);
    }
}

}  // namespace lamina::cpu
