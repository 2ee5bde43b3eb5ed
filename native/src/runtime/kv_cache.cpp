#include "runtime/kv_cache.h"

#include <string>

#include "common/error.h"

namespace lamina {

KvCache::KvCache(int32_t n_layer, int32_t n_ctx, int32_t n_embd_kv) : n_ctx_(n_ctx), n_embd_kv_(n_embd_kv) {
    size_t n = 0;
    if (n_layer < 0 || n_ctx < 0 || n_embd_kv < 0 ||
        __builtin_mul_overflow(static_cast<size_t>(n_layer), static_cast<size_t>(n_ctx), &n) ||
        __builtin_mul_overflow(n, static_cast<size_t>(n_embd_kv), &n) || n > SIZE_MAX / (2 * sizeof(float))) {
        fail(LM_ERR_OUT_OF_MEMORY, "cannot allocate the KV cache: " + std::to_string(n_layer) + " layers x " +
                                       std::to_string(n_ctx) + " positions x " + std::to_string(n_embd_kv) +
                                       " values overflows the address space; use a smaller context");
    }
    const size_t count = n == 0 ? 1 : n;
    k_.reset(static_cast<float *>(std::calloc(count, sizeof(float))));
    if (k_) v_.reset(static_cast<float *>(std::calloc(count, sizeof(float))));
    if (!k_ || !v_) {
        fail(LM_ERR_OUT_OF_MEMORY, "cannot allocate the KV cache: " + std::to_string(2 * n * sizeof(float) >> 20) +
                                       " MiB for a context of " + std::to_string(n_ctx) +
                                       " tokens; use a smaller context");
    }
}

}  // namespace lamina
