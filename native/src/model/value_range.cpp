#include "model/value_range.h"

#include <cmath>
#include <cstdio>

#include "common/error.h"

namespace lamina {
namespace {

std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

}  // namespace

std::string ValueRange::text() const {
    return (lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) + "]";
}

void require_in_range(const std::string &what, double value, const ValueRange &range) {
    if (range.contains(value)) return;
    const std::string problem = std::isfinite(value) ? "is out of range " + range.text() : "is not finite";
    fail(LM_ERR_BAD_FORMAT, what + " = " + number_text(value) + " " + problem);
}

}  // namespace lamina
