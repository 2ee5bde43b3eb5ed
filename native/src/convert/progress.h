// Progress reporting for long conversions: done/total units; returning false cancels.
#pragma once

#include <cstdint>
#include <functional>

namespace lamina {

using ProgressFn = std::function<bool(int64_t done, int64_t total)>;

}  // namespace lamina
