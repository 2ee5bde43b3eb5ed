// Keys and values of every layer for positions [0, n_ctx), in float32, one contiguous
// [n_ctx][n_embd_kv] plane per layer for K and one for V.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace lamina {

class KvCache {
public:
    // Throws LaminaError(LM_ERR_OUT_OF_MEMORY) naming the size when allocation fails.
    KvCache(int32_t n_layer, int32_t n_ctx, int32_t n_embd_kv);

    int32_t n_ctx() const { return n_ctx_; }
    float *k(int32_t layer, int32_t pos) { return k_.get() + index(layer, pos); }
    float *v(int32_t layer, int32_t pos) { return v_.get() + index(layer, pos); }
    const float *k(int32_t layer, int32_t pos) const { return k_.get() + index(layer, pos); }
    const float *v(int32_t layer, int32_t pos) const { return v_.get() + index(layer, pos); }

private:
    struct FreeDeleter {
        void operator()(float *p) const { std::free(p); }
    };
    using Plane = std::unique_ptr<float[], FreeDeleter>;

    size_t index(int32_t layer, int32_t pos) const {
        return (static_cast<size_t>(layer) * n_ctx_ + pos) * n_embd_kv_;
    }
    int32_t n_ctx_;
    int32_t n_embd_kv_;
    // calloc, not std::vector: the kernel hands out zeroed pages as positions are first written,
    // so a long context costs memory only as it fills, and a failed allocation is a null
    // pointer (an error) even under sanitizers, where a failing operator new aborts.
    Plane k_, v_;
};

}  // namespace lamina
