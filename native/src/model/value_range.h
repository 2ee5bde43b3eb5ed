// The values a float read from a model file may take for the model to compute anything: the
// one check behind every float hyperparameter and every small vector of factors, so a NaN, an
// infinity or a degenerate zero is refused at load instead of turning every logit into NaN.
#pragma once

#include <string>

namespace lamina {

struct ValueRange {
    double lo;
    double hi;
    bool lo_open = false;  // lo itself is excluded (a positive quantity that may be tiny)

    bool contains(double v) const { return (lo_open ? v > lo : v >= lo) && v <= hi; }  // false for NaN
    std::string text() const;  // "[1, 1e+12]", "(0, 1]"
};

// Throws LaminaError(LM_ERR_BAD_FORMAT) "<what> = <value> is not finite" or "... is out of
// range <range>" unless `range` contains `value`. `what` names the file and the key or tensor.
void require_in_range(const std::string &what, double value, const ValueRange &range);

}  // namespace lamina
