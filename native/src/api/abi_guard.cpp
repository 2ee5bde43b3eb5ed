#include "api/abi_guard.h"

#include <algorithm>
#include <cstring>

namespace lamina {
namespace {
thread_local std::string t_last_error;
}

void set_last_error(std::string message) { t_last_error = std::move(message); }

const char *last_error_cstr() { return t_last_error.c_str(); }

void copy_out(std::string_view s, char *buf, size_t capacity, size_t *out_len, const char *function) {
    require(out_len, function, "out_len");
    *out_len = s.size();
    if (buf == nullptr && capacity > 0) fail(LM_ERR_INVALID_ARGUMENT, std::string(function) + ": buf is NULL");
    if (capacity > 0) std::memcpy(buf, s.data(), std::min(capacity, s.size()));
    if (capacity < s.size()) {
        fail(LM_ERR_BUFFER_TOO_SMALL, std::string(function) + ": buffer of " + std::to_string(capacity) +
                                          " bytes is too small; " + std::to_string(s.size()) + " needed");
    }
}

}  // namespace lamina
