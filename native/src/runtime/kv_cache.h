// Keys and values of every layer for cells [0, n_ctx), one contiguous [n_ctx][row] plane per
// layer for K and one for V. A row holds the n_embd_kv values of one cell in the cache's type
// (F16 by default, as llama.cpp; Q8_0 to halve that again; F32 as the exact reference), each KV
// head's head_dim values contiguous inside it. Which position of which sequences a cell holds
// is KvCells' business (runtime/kv_cells.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "model/hparams.h"
#include "quant/ggml_type.h"

namespace lamina {

// The KV cache types by name ("f16", "q8_0", "f32", as llama.cpp's --cache-type-k spells them).
// nullptr or "" is the default (F16). Throws LaminaError(LM_ERR_INVALID_ARGUMENT) naming the
// value and the known names otherwise.
GgmlType parse_kv_type(const char *name);
const char *kv_type_name(GgmlType type);
// "f16, q8_0, f32": the default first.
std::string kv_type_names();
// Bytes one row of n values takes in `type` (n a multiple of its block size).
size_t kv_row_bytes(GgmlType type, int64_t n);

class KvCache {
public:
    // Throws LaminaError(LM_ERR_UNSUPPORTED) when head_dim does not fit the type's blocks and
    // LaminaError(LM_ERR_OUT_OF_MEMORY) naming the size when allocation fails.
    KvCache(int32_t n_layer, int32_t n_ctx, int32_t n_embd_kv, int32_t head_dim, GgmlType type = GgmlType::F16)
        : KvCache(n_layer, n_ctx, KvWidths{n_embd_kv, head_dim, n_embd_kv, head_dim}, type) {}
    // K and V rows of different widths (multi-head latent attention keeps a latent plus a rotary key).
    // values_in_keys: a cell's V row is the first n_embd_v values of its K row (one KV head), so
    // no V plane is kept; latent attention's value is the latent its key starts with.
    struct KvWidths {
        int32_t n_embd_k, head_dim_k, n_embd_v, head_dim_v;
        bool values_in_keys = false;
    };
    KvCache(int32_t n_layer, int32_t n_ctx, const KvWidths &widths, GgmlType type = GgmlType::F16);
    // The widths a model's cache has.
    static KvWidths widths_of(const ModelHparams &hp);
    // Throws LaminaError(LM_ERR_UNSUPPORTED) when the widths do not fit the type's blocks.
    static void check_type(GgmlType type, const KvWidths &widths);

    int32_t n_ctx() const { return n_ctx_; }
    GgmlType type() const { return type_; }
    // Bytes from one cell's K row (V row) to the next, and the bytes K and V of one cell take
    // over every layer (kv_bytes_per_token).
    size_t k_row_bytes() const { return k_row_bytes_; }
    size_t v_row_bytes() const { return widths_.values_in_keys ? k_row_bytes_ : v_row_bytes_; }
    size_t bytes_per_token() const { return kv_bytes_per_token(type_, widths_, n_layer_); }
    bool values_in_keys() const { return widths_.values_in_keys; }
    static size_t kv_bytes_per_token(GgmlType type, const KvWidths &widths, int32_t n_layer);
    // What a multi-head attention cache of the model's shape takes per position: n_head keys and
    // values per layer at their full (for latent attention, decompressed) widths.
    static size_t mha_kv_bytes_per_token(GgmlType type, const ModelHparams &hp);

    // The first row of a layer's plane; cell c's row is k_row_bytes() (v_row_bytes()) * c further.
    const uint8_t *k_plane(int32_t layer) const { return k_.get() + index(layer, 0, k_row_bytes_); }
    const uint8_t *v_plane(int32_t layer) const {
        return widths_.values_in_keys ? k_plane(layer) : v_.get() + index(layer, 0, v_row_bytes_);
    }
    // The stored bytes of one cell's K (V) row, k_row_bytes() (v_row_bytes()) long: what a saved
    // session state holds. With values_in_keys there is no V row.
    uint8_t *k_row(int32_t layer, int32_t cell) { return k_.get() + index(layer, cell, k_row_bytes_); }
    uint8_t *v_row(int32_t layer, int32_t cell) { return v_.get() + index(layer, cell, v_row_bytes_); }
    const KvWidths &widths() const { return widths_; }
    int32_t n_layer() const { return n_layer_; }
    // Converts (F16) or quantizes (Q8_0) a row of floats into cell `cell` of a layer.
    void store_k(int32_t layer, int32_t cell, const float *row) {
        store(k_.get() + index(layer, cell, k_row_bytes_), row, widths_.n_embd_k);
    }
    // With values_in_keys there is nothing to store: store_k wrote the value with the key.
    void store_v(int32_t layer, int32_t cell, const float *row) {
        if (!widths_.values_in_keys) store(v_.get() + index(layer, cell, v_row_bytes_), row, widths_.n_embd_v);
    }

private:
    struct FreeDeleter {
        void operator()(uint8_t *p) const { std::free(p); }
    };
    using Plane = std::unique_ptr<uint8_t[], FreeDeleter>;

    size_t index(int32_t layer, int32_t cell, size_t row_bytes) const {
        return (static_cast<size_t>(layer) * n_ctx_ + cell) * row_bytes;
    }
    void store(uint8_t *dst, const float *row, int32_t n) const;

    int32_t n_layer_;
    int32_t n_ctx_;
    KvWidths widths_;
    GgmlType type_;
    size_t k_row_bytes_, v_row_bytes_;
    // calloc, not std::vector: the kernel hands out zeroed pages as positions are first written,
    // so a long context costs memory only as it fills, and a failed allocation is a null
    // pointer (an error) even under sanitizers, where a failing operator new aborts.
    Plane k_, v_;
};

}  // namespace lamina
