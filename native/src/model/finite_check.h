// Finding NaN and infinities in activations. An evaluation checks only its final logits (one
// pass over the output rows, nothing next to the output matmul); when they are not finite it
// runs again with every intermediate result checked, to name where the values first appeared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "model/weight.h"

namespace lamina {

// Whether every one of x[0..n) is a finite number.
bool all_finite(const float *x, size_t n);

// The diagnostic pass's check of one intermediate result: throws LaminaError(LM_ERR_BAD_FORMAT)
// "non-finite values in the evaluation: first in layer 1, attention output
// (blk.1.attn_output.weight)" unless x[0..n) is finite. layer < 0 for results outside the
// layers; `weight` (may be nullptr) is the tensor the step applied.
void require_finite(const float *x, size_t n, int32_t layer, const char *step, const Weight *weight);

}  // namespace lamina
