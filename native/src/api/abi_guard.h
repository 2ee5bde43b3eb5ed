// The ABI boundary: runs a body and turns anything it throws into an lm_status plus the
// thread-local lm_last_error() message, so no exception ever reaches a C or Java caller.
#pragma once

#include <new>
#include <string>
#include <string_view>

#include "common/error.h"
#include "lamina.h"

namespace lamina {

void set_last_error(std::string message);

template <typename Body>
lm_status abi_guard(const char *function, Body &&body) noexcept {
    try {
        body();
        return LM_OK;
    } catch (const LaminaError &e) {
        set_last_error(e.what());
        return e.status();
    } catch (const std::bad_alloc &) {
        set_last_error(std::string(function) + ": out of memory");
        return LM_ERR_OUT_OF_MEMORY;
    } catch (const std::exception &e) {
        set_last_error(std::string(function) + ": internal error: " + e.what());
        return LM_ERR_INTERNAL;
    } catch (...) {
        set_last_error(std::string(function) + ": internal error (unknown exception)");
        return LM_ERR_INTERNAL;
    }
}

// Throws LM_ERR_INVALID_ARGUMENT naming the parameter when p is null.
template <typename T>
T *require(T *p, const char *function, const char *what) {
    if (p == nullptr) fail(LM_ERR_INVALID_ARGUMENT, std::string(function) + ": " + what + " is NULL");
    return p;
}

// The two-call string pattern of lamina.h.
void copy_out(std::string_view s, char *buf, size_t capacity, size_t *out_len, const char *function);

}  // namespace lamina
