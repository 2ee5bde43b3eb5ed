#include "runtime/kv_cache.h"

#include <new>
#include <string>

#include "common/error.h"

namespace lamina {

KvCache::KvCache(int32_t n_layer, int32_t n_ctx, int32_t n_embd_kv) : n_ctx_(n_ctx), n_embd_kv_(n_embd_kv) {
    const size_t n = static_cast<size_t>(n_layer) * n_ctx * n_embd_kv;
    try {
        k_.resize(n);
        v_.resize(n);
    } catch (const std::bad_alloc &) {
        fail(LM_ERR_OUT_OF_MEMORY, "cannot allocate the KV cache: " + std::to_string(2 * n * sizeof(float) >> 20) +
                                       " MiB for a context of " + std::to_string(n_ctx) +
                                       " tokens; use a smaller context");
    }
}

}  // namespace lamina
