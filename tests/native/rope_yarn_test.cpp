// YaRN rotary angles against ggml's formulation written out independently here (float, as
// ggml_rope_yarn_corr_dims / rope_yarn compute them), at positions far past the original context.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu/layer_ops.h"
#include "model/hparams.h"

namespace lamina::cpu {
namespace {

float corr_dim(int n_dims, int n_ctx_orig, float n_rot, float base) {
    return n_dims * std::log(n_ctx_orig / (n_rot * 2 * static_cast<float>(M_PI))) / (2 * std::log(base));
}

void ggml_yarn(int pos, int n_dims, float base, float freq_scale, int n_ctx_orig, float beta_fast, float beta_slow,
               float attn_factor, std::vector<float> &c, std::vector<float> &s) {
    const float lo = std::max(0.0f, std::floor(corr_dim(n_dims, n_ctx_orig, beta_fast, base)));
    const float hi = std::min(static_cast<float>(n_dims - 1), std::ceil(corr_dim(n_dims, n_ctx_orig, beta_slow, base)));
    const float theta_scale = std::pow(base, -2.0f / n_dims);
    float theta_extrap = static_cast<float>(pos);
    c.resize(n_dims / 2);
    s.resize(n_dims / 2);
    for (int i0 = 0; i0 < n_dims; i0 += 2) {
        const float theta_interp = freq_scale * theta_extrap;
        const float y = (i0 / 2 - lo) / std::max(0.001f, hi - lo);
        const float ramp = (1 - std::min(1.0f, std::max(0.0f, y))) * 1.0f;  // ext_factor 1
        const float theta = theta_interp * (1 - ramp) + theta_extrap * ramp;
        const float mscale = attn_factor * (1.0f + 0.1f * std::log(1.0f / freq_scale));
        c[i0 / 2] = std::cos(theta) * mscale;
        s[i0 / 2] = std::sin(theta) * mscale;
        theta_extrap *= theta_scale;
    }
}

TEST(RopeYarn, MatchesGgmlFormulaPastTheOriginalContext) {
    for (const int n_rot : {8, 64, 128}) {
        ModelHparams hp;
        hp.n_rot = n_rot;
        hp.rope_freq_base = 1e6f;
        hp.rope_scaling_factor = 4.0f;
        hp.rope_freq_scale = 0.25f;
        hp.rope_yarn = true;
        hp.rope_n_ctx_orig = 32768;
        const RopeParams p = rope_params(hp);
        EXPECT_EQ(p.ext_factor, 1.0f);
        std::vector<float> want_c, want_s, got_c(n_rot / 2), got_s(n_rot / 2);
        for (const int pos : {0, 1, 100, 1000, 5000, 40000, 131071}) {
            ggml_yarn(pos, n_rot, hp.rope_freq_base, hp.rope_freq_scale, hp.rope_n_ctx_orig, 32.0f, 1.0f, 1.0f, want_c,
                      want_s);
            rope_angles(pos, p, nullptr, got_c.data(), got_s.data());
            for (int i = 0; i < n_rot / 2; ++i) {
                // ggml accumulates theta in float: at large positions the angle itself drifts by
                // ~pos * 1e-7 radians.
                const float tol = 2e-5f + 3e-7f * pos;
                EXPECT_NEAR(got_c[i], want_c[i], tol) << "n_rot " << n_rot << " pos " << pos << " i " << i;
                EXPECT_NEAR(got_s[i], want_s[i], tol) << "n_rot " << n_rot << " pos " << pos << " i " << i;
            }
        }
    }
}

// Without YaRN the mscale stays 1 and nothing ramps: plain linear scaling.
TEST(RopeYarn, LinearScalingHasNoRamp) {
    ModelHparams hp;
    hp.n_rot = 16;
    hp.rope_freq_scale = 0.5f;
    const RopeParams p = rope_params(hp);
    EXPECT_EQ(p.ext_factor, 0.0f);
    std::vector<float> c(8), s(8);
    rope_angles(10, p, nullptr, c.data(), s.data());
    EXPECT_NEAR(c[0], std::cos(5.0), 1e-6);
    EXPECT_NEAR(s[0], std::sin(5.0), 1e-6);
}

}  // namespace
}  // namespace lamina::cpu
