// The operations of the forward pass behind one interface, so the pass itself
// (model/forward.h and the architectures of model/arch/) names what it computes and a backend decides how: the CPU one
// (cpu/cpu_backend.h) picks its kernels by instruction set and spreads them over the session's
// threads. A model prepares its weights for one backend when it loads (a backend may keep them
// in its own layout) and every evaluation of that model computes through the same backend.
// Buffers are host memory for now. A backend object is immutable and shared by every model and
// session using it; per-session state lives in its Workspace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "common/anonymous_memory.h"
#include "cpu/attention.h"
#include "cpu/layer_ops.h"
#include "lamina.h"
#include "model/hparams.h"
#include "model/weight.h"
#include "quant/ggml_type.h"

namespace lamina {

class KvCache;
class ThreadPool;

namespace backend {

// Memory one session's evaluations reuse between ops (converted activations, attention tiles),
// made by the backend and grown by it as needed.
class Workspace {
public:
    virtual ~Workspace() = default;
};

// Where an op runs: the threads leased for the evaluation and the session's workspace.
struct OpContext {
    ThreadPool &pool;
    Workspace &workspace;
};

// Weights a backend rewrote into its own layout: the memory holding them (owned by the model)
// and how many matrices moved there.
struct PreparedWeights {
    AnonymousMemory memory;
    int64_t n_matrices = 0;
};

// Told about each range of the original weights a backend no longer reads.
using ReleaseFn = std::function<void(const uint8_t *data, size_t bytes)>;

class Backend {
public:
    virtual ~Backend() = default;
    virtual const char *name() const = 0;

    // ---- Weights
    // Whether matrices (matmul, embedding rows) of `type` can be computed with.
    virtual bool can_compute(GgmlType type) const = 0;
    // Bytes prepare_weights would allocate for `matrices` (0: they all stay as they are).
    virtual size_t prepared_bytes(const std::vector<Weight *> &matrices) const = 0;
    // Rewrites those of `matrices` the backend computes faster in a layout of its own into new
    // memory and points them there. The caller leaves out matrices also read row by row.
    virtual PreparedWeights prepare_weights(const std::vector<Weight *> &matrices, const ReleaseFn &release) const = 0;

    virtual std::unique_ptr<Workspace> make_workspace() const = 0;

    // ---- Operations; rows are contiguous, a row of a matrix product's input is w.cols wide.
    // out[t] = row ids[t] of `table`, as floats.
    virtual void embed(const Weight &table, const lm_token *ids, int64_t n_ids, float *out) const = 0;
    // y = x · wᵀ for n_rows rows of x; y holds n_rows rows of w.rows floats.
    virtual void matmul(const Weight &w, const float *x, int64_t n_rows, float *y, const OpContext &ctx) const = 0;
    // Each row of `weight.cols` values: out = x / rms(x) * weight.
    virtual void rms_norm(const float *x, int64_t n_rows, const Weight &weight, float eps, float *out) const = 0;
    // Each row of `weight.cols` values: out = (x - mean) / sd(x) * weight + bias.
    virtual void layer_norm(const float *x, int64_t n_rows, const Weight &weight, const Weight &bias, float eps,
                            float *out) const = 0;
    // Per position, the n_rot/2 rotary angles' cos and sin (freq_divisors: optional per-angle
    // divisors, Llama 3.1's rope_freqs), n_rot/2 values a row.
    virtual void rope_angles(const int32_t *positions, int64_t n, const cpu::RopeParams &rope, const float *freq_divisors,
                             float *cos_out, float *sin_out) const = 0;
    // Rotates the first n_rot values of n_heads heads (head_stride apart) in each of n_rows rows
    // (row_stride apart) in place, row t by the angles of row t of cos/sin.
    virtual void rope_rotate(float *x, int64_t n_rows, int64_t row_stride, int32_t n_heads, int32_t head_stride,
                             int32_t n_rot, RopeLayout layout, const float *cos_table, const float *sin_table) const = 0;
    // out = silu(gate) * up, elementwise; out may be gate or up.
    virtual void swiglu(const float *gate, const float *up, float *out, int64_t n) const = 0;
    // out = gelu(gate) * up with GELU's tanh approximation; out may be gate or up.
    virtual void geglu(const float *gate, const float *up, float *out, int64_t n) const = 0;
    // x = gelu(x), tanh approximation.
    virtual void gelu(float *x, int64_t n) const = 0;
    // y += x, elementwise.
    virtual void add(float *y, const float *x, int64_t n) const = 0;
    // x *= factor.
    virtual void scale(float *x, int64_t n, float factor) const = 0;
    // x = cap * tanh(x / cap): Gemma 2's soft cap of the final logits.
    virtual void softcap(float *x, int64_t n, float cap) const = 0;
    // Each of n_tokens query rows attends to the cells of `layer` of the cache that its span
    // lets it see (cpu/attention.h has the meaning of spans and cells).
    virtual void attention(const KvCache &cache, int32_t layer, const cpu::AttentionShape &shape,
                           const cpu::AttentionOptions &options, const cpu::KvCellTable &cells,
                           const cpu::QuerySpan *spans, const float *q, float *out, int32_t n_tokens,
                           const OpContext &ctx) const = 0;
};

}  // namespace backend
}  // namespace lamina
