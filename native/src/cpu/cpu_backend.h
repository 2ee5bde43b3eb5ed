// The CPU backend: one kernel variant's dot-product, interleaved, attention and layer kernels
// (cpu/kernels.h, cpu/interleaved_kernels.h, cpu/attention.h, cpu/layer_ops.h), matrix products
// and attention spread over the session's thread pool, the other ops on the calling thread.
// Preparing weights repacks Q4_0/Q8_0/Q4_K/Q5_K/Q6_K matrices into the interleaved-row layout
// of quant/interleaved.h where the variant has kernels for it.
#pragma once

#include "backend/backend.h"
#include "cpu/kernels.h"
#include "cpu/layer_ops.h"

namespace lamina::cpu {

class CpuBackend final : public backend::Backend {
public:
    // Throws LaminaError(LM_ERR_INTERNAL) when this CPU cannot run `variant`.
    explicit CpuBackend(Variant variant);

    Variant variant() const { return variant_; }

    const char *name() const override { return "cpu"; }
    bool can_compute(GgmlType type) const override;
    size_t prepared_bytes(const std::vector<Weight *> &matrices) const override;
    backend::PreparedWeights prepare_weights(const std::vector<Weight *> &matrices,
                                             const backend::ReleaseFn &release) const override;
    std::unique_ptr<backend::Workspace> make_workspace() const override;

    void embed(const Weight &table, const lm_token *ids, int64_t n_ids, float *out) const override;
    void matmul(const Weight &w, const float *x, int64_t n_rows, float *y, const backend::OpContext &ctx) const override;
    void rms_norm(const float *x, int64_t n_rows, const Weight &weight, float eps, float *out) const override;
    void layer_norm(const float *x, int64_t n_rows, const Weight &weight, const Weight &bias, float eps,
                    float *out) const override;
    void rope_angles(const int32_t *positions, int64_t n, const RopeParams &rope, const float *freq_divisors,
                     float *cos_out, float *sin_out) const override;
    void rope_rotate(float *x, int64_t n_rows, int64_t row_stride, int32_t n_heads, int32_t head_stride, int32_t n_rot,
                     RopeLayout layout, const float *cos_table, const float *sin_table) const override;
    void swiglu(const float *gate, const float *up, float *out, int64_t n) const override;
    void geglu(const float *gate, const float *up, float *out, int64_t n) const override;
    void gelu(float *x, int64_t n) const override;
    void add(float *y, const float *x, int64_t n) const override;
    void scale(float *x, int64_t n, float factor) const override;
    void softcap(float *x, int64_t n, float cap) const override;
    void attention(const KvCache &cache, int32_t layer, const AttentionShape &shape, const AttentionOptions &options,
                   const KvCellTable &cells, const QuerySpan *spans, const float *q, float *out, int32_t n_tokens,
                   const backend::OpContext &ctx) const override;

private:
    // The matrices prepare_weights repacks: those with an interleaved kernel, whole groups of rows.
    std::vector<Weight *> repackable(const std::vector<Weight *> &matrices) const;

    Variant variant_;
    const LayerOps *ops_;
};

}  // namespace lamina::cpu
