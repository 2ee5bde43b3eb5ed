#include "model/finite_check.h"

#include <cstring>

#include "common/error.h"

namespace lamina {

bool all_finite(const float *x, size_t n) {
    // On the bits (exponent all ones = NaN or infinity), so the loop vectorizes as an integer
    // OR-reduction without fast-math.
    uint32_t saturated = 0;
    for (size_t i = 0; i < n; ++i) {
        uint32_t bits;
        std::memcpy(&bits, x + i, sizeof bits);
        saturated |= static_cast<uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
    }
    return saturated == 0;
}

void require_finite(const float *x, size_t n, int32_t layer, const char *step, const Weight *weight) {
    if (all_finite(x, n)) return;
    std::string where = layer >= 0 ? "layer " + std::to_string(layer) + ", " + step : std::string("the ") + step;
    if (weight != nullptr && weight->name != nullptr) where += " (" + std::string(weight->name, weight->name_len) + ")";
    fail(LM_ERR_BAD_FORMAT, "non-finite values in the evaluation: first in " + where +
                                "; the model's weights hold NaN or infinite values, or values large enough to overflow");
}

}  // namespace lamina
