// Internal error type. Native code throws LaminaError; the C API (src/api/) catches it at the
// ABI boundary and turns it into an lm_status plus the thread-local lm_last_error() message.
#pragma once

#include <stdexcept>
#include <string>

#include "lamina.h"

namespace lamina {

class LaminaError : public std::runtime_error {
public:
    LaminaError(lm_status status, const std::string &message)
        : std::runtime_error(message), status_(status) {}
    lm_status status() const { return status_; }

private:
    lm_status status_;
};

[[noreturn]] inline void fail(lm_status status, const std::string &message) {
    throw LaminaError(status, message);
}

}  // namespace lamina
