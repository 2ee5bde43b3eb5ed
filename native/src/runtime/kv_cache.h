// Keys and values of every layer for positions [0, n_ctx), in float32, one contiguous
// [n_ctx][n_embd_kv] plane per layer for K and one for V.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lamina {

class KvCache {
public:
    // Throws LaminaError(LM_ERR_OUT_OF_MEMORY) naming the size when allocation fails.
    KvCache(int32_t n_layer, int32_t n_ctx, int32_t n_embd_kv);

    int32_t n_ctx() const { return n_ctx_; }
    float *k(int32_t layer, int32_t pos) { return &k_[index(layer, pos)]; }
    float *v(int32_t layer, int32_t pos) { return &v_[index(layer, pos)]; }
    const float *k(int32_t layer, int32_t pos) const { return &k_[index(layer, pos)]; }
    const float *v(int32_t layer, int32_t pos) const { return &v_[index(layer, pos)]; }

private:
    size_t index(int32_t layer, int32_t pos) const {
        return (static_cast<size_t>(layer) * n_ctx_ + pos) * n_embd_kv_;
    }
    int32_t n_ctx_;
    int32_t n_embd_kv_;
    std::vector<float> k_, v_;
};

}  // namespace lamina
