#include "runtime/memory_budget.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <string>

#include "common/error.h"
#include "common/os.h"

namespace lamina {
namespace {

constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

uint64_t sat_mul(uint64_t a, uint64_t b) {
    uint64_t r;
    return __builtin_mul_overflow(a, b, &r) ? kUnlimited : r;
}

uint64_t sat_add(uint64_t a, uint64_t b) {
    uint64_t r;
    return __builtin_add_overflow(a, b, &r) ? kUnlimited : r;
}

// A cgroup limit file holds a byte count, or "max" (v2) / a huge number (v1) for none.
uint64_t read_limit_file(const char *path) {
    std::ifstream in(path);
    std::string text;
    if (!(in >> text) || text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return kUnlimited;
    try {
        return std::stoull(text);
    } catch (const std::exception &) {
        return kUnlimited;
    }
}

std::string mib(uint64_t bytes) {
    return bytes == kUnlimited ? std::string("more than 16 EiB") : std::to_string(bytes >> 20) + " MiB";
}

}  // namespace

uint64_t host_memory_limit() {
    // Read once: eval checks its logits against this on every call.
    static const uint64_t limit = [] {
        const uint64_t installed = os::physical_memory();
        uint64_t limit = installed > 0 ? installed : kUnlimited;
        limit = std::min(limit, read_limit_file("/sys/fs/cgroup/memory.max"));                    // cgroup v2
        limit = std::min(limit, read_limit_file("/sys/fs/cgroup/memory/memory.limit_in_bytes"));  // cgroup v1
        return limit;
    }();
    return limit;
}

uint64_t SessionMemory::total() const { return sat_add(kv_cache, scratch); }

SessionMemory estimate_session_memory(const ModelHparams &hp, int32_t n_ctx, int32_t n_ubatch, int32_t n_threads,
                                      uint64_t kv_bytes_per_token) {
    const auto u = [](int64_t v) { return v > 0 ? static_cast<uint64_t>(v) : 0; };
    SessionMemory m;
    m.kv_cache = sat_mul(kv_bytes_per_token, u(n_ctx));
    // ForwardScratch: 3 x n_embd, 2 x n_embd_q, 2 x n_embd_kv, 2 x n_ff per token, plus the
    // converted activations (at most 4 bytes an element of the widest row). Attention needs per
    // thread a query group, a score tile and a softmax state, and partial states of at most 4
    // chunks per thread: bounded by 5 x n_head x (head_dim + 40) floats a thread.
    const uint64_t per_token = sat_add(sat_add(sat_mul(4, u(hp.n_embd)), sat_mul(2, u(int64_t{hp.n_head} * hp.head_dim))),
                                       sat_add(sat_mul(2, u(int64_t{hp.n_head_kv} * hp.head_dim)), sat_mul(3, u(hp.n_ff))));
    const uint64_t attention_per_thread = sat_mul(sat_mul(5, u(hp.n_head)), sat_add(u(hp.head_dim), 40));
    m.scratch = sat_add(sat_mul(sat_mul(per_token, u(n_ubatch)), sizeof(float)),
                        sat_mul(sat_mul(u(n_threads), attention_per_thread), sizeof(float)));
    return m;
}

void check_session_memory(const std::string &model_name, const ModelHparams &hp, int32_t n_ctx, int32_t n_ubatch,
                          int32_t n_threads, uint64_t kv_bytes_per_token, uint64_t limit) {
    const SessionMemory m = estimate_session_memory(hp, n_ctx, n_ubatch, n_threads, kv_bytes_per_token);
    if (m.total() > limit) {
        fail(LM_ERR_OUT_OF_MEMORY, "a session of '" + model_name + "' with n_ctx = " + std::to_string(n_ctx) +
                                       " needs " + mib(m.total()) + " (KV cache " + mib(m.kv_cache) + ", buffers " +
                                       mib(m.scratch) + ") but this machine has " + mib(limit) +
                                       " of memory; use a smaller context");
    }
}

void check_allocation(const std::string &what, uint64_t bytes, uint64_t limit) {
    if (bytes > limit) {
        fail(LM_ERR_OUT_OF_MEMORY, what + " needs " + mib(bytes) + " but this machine has " + mib(limit) + " of memory");
    }
}

}  // namespace lamina
