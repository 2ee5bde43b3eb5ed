// Scale searches of the K-quant reference quantizers (the algorithms of ggml's make_qx_quants,
// make_q3_quants and make_qkx2_quants): for a group of n values they pick a scale (and for the
// asymmetric types a min) and the integer levels L that minimise a weighted error.
#pragma once

#include <cstdint>

namespace lamina::quant {

// Symmetric levels L[i] in [0, 2*nmax) (stored offset by nmax) with x ~ scale * (L - nmax);
// weighted by x^2 (the squared value), trying 18 scales around -nmax / max. Returns the scale.
float search_symmetric_scale(int n, int nmax, const float *x, int8_t *L);

// Q3_K's variant: starts from -nmax / max and refines levels one at a time (up to 5 passes)
// while the x^2-weighted fit improves. L[i] in [0, 2*nmax).
float search_symmetric_scale_q3(int n, int nmax, const float *x, int8_t *L);

// Asymmetric levels L[i] in [0, nmax] with x ~ scale * L - min (min >= 0 returned in *min_out),
// weighted by `weights`; tries nstep+1 scales (nmax + rmin + rdelta * is) / (max - min) and
// keeps the least-error least-squares fit. use_mad: absolute instead of squared error.
float search_scale_min(int n, int nmax, const float *x, const float *weights, uint8_t *L,
                       float *min_out, float rmin, float rdelta, int nstep, bool use_mad);

}  // namespace lamina::quant
