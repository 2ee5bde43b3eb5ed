#include "quant/k_search.h"

#include <algorithm>
#include <cmath>

#include "quant/rounding.h"

namespace lamina::quant {
namespace {

constexpr float kAllZero = 1e-15f;  // groups whose largest magnitude is below this are zero

struct Extreme {
    float amax;  // largest magnitude
    float max;   // the value that has it (with its sign)
};

Extreme signed_extreme(int n, const float *x) {
    Extreme e{0.0f, 0.0f};
    for (int i = 0; i < n; ++i) {
        const float ax = std::fabs(x[i]);
        if (ax > e.amax) {
            e.amax = ax;
            e.max = x[i];
        }
    }
    return e;
}

int level(float iscale, float x, int nmax) {
    return clamp_to(nearest_int(iscale * x), -nmax, nmax - 1);
}

}  // namespace

float search_symmetric_scale(int n, int nmax, const float *x, int8_t *L) {
    const Extreme e = signed_extreme(n, x);
    if (e.amax < kAllZero) {
        std::fill(L, L + n, int8_t{0});
        return 0.0f;
    }
    // Weighted least squares: for fixed levels l the best scale is sum(w x l) / sum(w l^2), and
    // the error falls as (sum w x l)^2 / sum(w l^2) grows; weights w = x^2 favour large values.
    float iscale = -nmax / e.max;
    float sumlx = 0.0f, suml2 = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = level(iscale, x[i], nmax);
        L[i] = static_cast<int8_t>(l + nmax);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = -(nmax + 0.1f * is) / e.max;
        sumlx = suml2 = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = level(iscale, x[i], nmax);
            const float w = x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        if (suml2 > 0.0f && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(nmax + level(iscale, x[i], nmax));
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

float search_symmetric_scale_q3(int n, int nmax, const float *x, int8_t *L) {
    const Extreme e = signed_extreme(n, x);
    if (e.amax < kAllZero) {
        std::fill(L, L + n, int8_t{0});
        return 0.0f;
    }
    const float iscale = -nmax / e.max;
    float sumlx = 0.0f, suml2 = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = level(iscale, x[i], nmax);
        L[i] = static_cast<int8_t>(l);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    // Coordinate descent: move one level to its best value given the others' fit, keep it if
    // the fit quality (sumlx^2 / suml2) improves.
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * L[i];
            if (slx <= 0.0f) continue;
            float sl2 = suml2 - w * L[i] * L[i];
            const int new_l = clamp_to(nearest_int(x[i] * sl2 / slx), -nmax, nmax - 1);
            if (new_l == L[i]) continue;
            slx += w * x[i] * new_l;
            sl2 += w * new_l * new_l;
            if (sl2 > 0.0f && slx * slx * suml2 > sumlx * sumlx * sl2) {
                L[i] = static_cast<int8_t>(new_l);
                sumlx = slx;
                suml2 = sl2;
                ++changed;
            }
        }
        if (changed == 0) break;
    }
    for (int i = 0; i < n; ++i) L[i] = static_cast<int8_t>(L[i] + nmax);
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

float search_scale_min(int n, int nmax, const float *x, const float *weights, uint8_t *L,
                       float *min_out, float rmin, float rdelta, int nstep, bool use_mad) {
    float mn = x[0], mx = x[0];
    float sum_w = weights[0], sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        mn = std::min(mn, x[i]);
        mx = std::max(mx, x[i]);
        sum_w += weights[i];
        sum_x += weights[i] * x[i];
    }
    if (mn > 0.0f) mn = 0.0f;  // the stored min is subtracted, so it is never positive here
    if (mx == mn) {
        std::fill(L, L + n, uint8_t{0});
        *min_out = -mn;
        return 0.0f;
    }
    auto error_of = [&](float diff) { return use_mad ? std::fabs(diff) : diff * diff; };

    float iscale = nmax / (mx - mn);
    float scale = 1.0f / iscale;
    float best_error = 0.0f;
    for (int i = 0; i < n; ++i) {
        L[i] = static_cast<uint8_t>(clamp_to(nearest_int(iscale * (x[i] - mn)), 0, nmax));
        best_error += weights[i] * error_of(scale * L[i] + mn - x[i]);
    }
    uint8_t Laux[256];
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * is + nmax) / (mx - mn);
        float sum_l = 0.0f, sum_l2 = 0.0f, sum_xl = 0.0f;
        for (int i = 0; i < n; ++i) {
            const int l = clamp_to(nearest_int(iscale * (x[i] - mn)), 0, nmax);
            Laux[i] = static_cast<uint8_t>(l);
            sum_l += weights[i] * l;
            sum_l2 += weights[i] * l * l;
            sum_xl += weights[i] * l * x[i];
        }
        // Least-squares fit of x ~ s*l + m for these levels (2x2 normal equations).
        const float det = sum_w * sum_l2 - sum_l * sum_l;
        if (det <= 0.0f) continue;
        float this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
        float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
        if (this_min > 0.0f) {
            this_min = 0.0f;
            this_scale = sum_xl / sum_l2;
        }
        float err = 0.0f;
        for (int i = 0; i < n; ++i) err += weights[i] * error_of(this_scale * Laux[i] + this_min - x[i]);
        if (err < best_error) {
            std::copy(Laux, Laux + n, L);
            best_error = err;
            scale = this_scale;
            mn = this_min;
        }
    }
    *min_out = -mn;
    return scale;
}

}  // namespace lamina::quant
