// How much memory a session needs and whether this machine can give it, decided before
// anything is allocated: a context the machine cannot hold is a clear LM_ERR_OUT_OF_MEMORY
// naming the sizes, never an allocation that the kernel's OOM killer answers later.
#pragma once

#include <cstdint>
#include <string>

#include "model/hparams.h"

namespace lamina {

// Bytes of memory this process can use at most: physical RAM, or less when a cgroup
// (container) memory limit is set. Weights are file mappings (page cache) and do not count.
uint64_t host_memory_limit();

struct SessionMemory {
    uint64_t kv_cache = 0;  // K and V of every layer for n_ctx positions, in the cache's type
    uint64_t scratch = 0;   // activations of one micro-batch, attention state of every thread
    uint64_t total() const;  // saturates at UINT64_MAX
};

// Sizes for a session whose KV cache takes kv_bytes_per_token (K and V of every layer, see
// kv_cache.h); arithmetic saturates instead of overflowing.
SessionMemory estimate_session_memory(const ModelHparams &hp, int32_t n_ctx, int32_t n_ubatch, int32_t n_threads,
                                      uint64_t kv_bytes_per_token);

// Throws LaminaError(LM_ERR_OUT_OF_MEMORY) naming the sizes when the session would need more
// than `limit` bytes.
void check_session_memory(const std::string &model_name, const ModelHparams &hp, int32_t n_ctx, int32_t n_ubatch,
                          int32_t n_threads, uint64_t kv_bytes_per_token, uint64_t limit);

// Throws LaminaError(LM_ERR_OUT_OF_MEMORY) when `bytes` more for `what` cannot fit into `limit`.
void check_allocation(const std::string &what, uint64_t bytes, uint64_t limit);

}  // namespace lamina
