#include "cpu/cpu_backend.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <system_error>
#include <thread>

#include "common/error.h"
#include "common/float_convert.h"
#include "cpu/interleaved_kernels.h"
#include "cpu/matmul.h"
#include "quant/interleaved.h"
#include "runtime/kv_cache.h"
#include "runtime/thread_pool.h"

namespace lamina::cpu {
namespace {

struct CpuWorkspace final : backend::Workspace {
    std::vector<uint8_t> act;  // activations converted for the matmul kernels
    AttentionScratch attention;
};

CpuWorkspace &workspace_of(const backend::OpContext &ctx) { return static_cast<CpuWorkspace &>(ctx.workspace); }

const float *f32(const Weight &w) { return reinterpret_cast<const float *>(w.data); }

size_t repacked_bytes(const Weight &w) {
    const size_t bytes = quant::interleaved_group_bytes(w.type, w.cols) * static_cast<size_t>(w.rows / quant::kInterleave);
    return (bytes + 63) / 64 * 64;
}

}  // namespace

CpuBackend::CpuBackend(Variant variant) : variant_(variant), ops_(layer_ops(variant)) {
    if (ops_ == nullptr) {
        fail(LM_ERR_INTERNAL, std::string("this CPU cannot run the ") + variant_name(variant) + " kernels");
    }
}

bool CpuBackend::can_compute(GgmlType type) const { return dot_kernel(type, variant_) != nullptr; }

std::vector<Weight *> CpuBackend::repackable(const std::vector<Weight *> &matrices) const {
    std::vector<Weight *> out;
    for (Weight *w : matrices) {
        if (w->present() && !w->interleaved && w->rows % quant::kInterleave == 0 &&
            interleaved_kernel(w->type, variant_) != nullptr) {
            out.push_back(w);
        }
    }
    return out;
}

size_t CpuBackend::prepared_bytes(const std::vector<Weight *> &matrices) const {
    size_t total = 0;
    for (const Weight *w : repackable(matrices)) total += repacked_bytes(*w);
    return total;
}

backend::PreparedWeights CpuBackend::prepare_weights(const std::vector<Weight *> &matrices,
                                                     const backend::ReleaseFn &release) const {
    const std::vector<Weight *> todo = repackable(matrices);
    backend::PreparedWeights prepared;
    if (todo.empty()) return prepared;
    std::vector<size_t> offset(todo.size() + 1, 0);
    for (size_t i = 0; i < todo.size(); ++i) offset[i + 1] = offset[i] + repacked_bytes(*todo[i]);
    prepared.memory = AnonymousMemory(offset.back(), "the repacked weights");
    uint8_t *base = prepared.memory.data();

    // Tensors are claimed one at a time by a few threads: copying is bound by memory bandwidth,
    // which two to four threads saturate.
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i = next++; i < todo.size(); i = next++) {
            const Weight &w = *todo[i];
            const size_t group_bytes = quant::interleaved_group_bytes(w.type, w.cols);
            uint8_t *dst = base + offset[i];
            for (int64_t g = 0; g < w.rows / quant::kInterleave; ++g) {
                quant::repack_group(w.type, w.row(g * quant::kInterleave), w.row_bytes, w.cols, dst + g * group_bytes);
            }
            release(w.data, w.row_bytes * static_cast<size_t>(w.rows));
        }
    };
    const unsigned hw = std::thread::hardware_concurrency();
    const size_t n_threads = std::min<size_t>({hw == 0 ? 1 : hw, 4, todo.size()});
    std::vector<std::thread> helpers;
    try {
        for (size_t t = 1; t < n_threads; ++t) helpers.emplace_back(work);
    } catch (const std::system_error &) {
        // No more threads to be had: the ones started and this one claim every tensor anyway.
    }
    work();
    for (std::thread &t : helpers) t.join();

    for (size_t i = 0; i < todo.size(); ++i) {
        todo[i]->data = base + offset[i];
        todo[i]->interleaved = true;
    }
    prepared.n_matrices = static_cast<int64_t>(todo.size());
    return prepared;
}

std::unique_ptr<backend::Workspace> CpuBackend::make_workspace() const { return std::make_unique<CpuWorkspace>(); }

void CpuBackend::embed(const Weight &table, const lm_token *ids, int64_t n_ids, float *out) const {
    for (int64_t t = 0; t < n_ids; ++t) weight_row_to_float(table, ids[t], out + t * table.cols);
}

void CpuBackend::matmul(const Weight &w, const float *x, int64_t n_rows, float *y, const backend::OpContext &ctx) const {
    cpu::matmul(w, x, n_rows, y, ctx.pool, workspace_of(ctx).act, variant_);
}

void CpuBackend::rms_norm(const float *x, int64_t n_rows, const Weight &weight, float eps, float *out) const {
    const int64_t n = weight.cols;
    for (int64_t t = 0; t < n_rows; ++t) ops_->rms_norm(x + t * n, f32(weight), out + t * n, n, eps);
}

void CpuBackend::layer_norm(const float *x, int64_t n_rows, const Weight &weight, const Weight &bias, float eps,
                            float *out) const {
    const int64_t n = weight.cols;
    const float *w = f32(weight), *b = bias.present() ? f32(bias) : nullptr;
    for (int64_t t = 0; t < n_rows; ++t) {
        const float *xr = x + t * n;
        float *o = out + t * n;
        double sum = 0;
        for (int64_t i = 0; i < n; ++i) sum += xr[i];
        const float mean = static_cast<float>(sum / n);
        double var = 0;
        for (int64_t i = 0; i < n; ++i) var += static_cast<double>(xr[i] - mean) * (xr[i] - mean);
        const float inv = 1.0f / std::sqrt(static_cast<float>(var / n) + eps);
        for (int64_t i = 0; i < n; ++i) o[i] = (xr[i] - mean) * inv * w[i] + (b ? b[i] : 0.0f);
    }
}

void CpuBackend::rope_angles(const int32_t *positions, int64_t n, const RopeParams &rope, const float *freq_divisors,
                             float *cos_out, float *sin_out) const {
    const int64_t half = rope.n_rot / 2;
    for (int64_t t = 0; t < n; ++t) {
        cpu::rope_angles(positions[t], rope, freq_divisors, cos_out + t * half, sin_out + t * half);
    }
}

void CpuBackend::rope_rotate(float *x, int64_t n_rows, int64_t row_stride, int32_t n_heads, int32_t head_stride,
                             int32_t n_rot, RopeLayout layout, const float *cos_table, const float *sin_table) const {
    const int64_t half = n_rot / 2;
    for (int64_t t = 0; t < n_rows; ++t) {
        ops_->rope_rotate(x + t * row_stride, n_heads, head_stride, n_rot, cos_table + t * half, sin_table + t * half,
                          layout);
    }
}

void CpuBackend::swiglu(const float *gate, const float *up, float *out, int64_t n) const { ops_->swiglu(gate, up, out, n); }

namespace {
// GELU with the tanh approximation as ggml's CPU backend computes it: from a table of F16
// inputs to F16 outputs (its GGML_GELU_FP16), so the input is rounded to F16 and so is the
// result, except beyond +-10 where it is 0 or x. Matching that keeps Gemma, Bloom and Falcon
// within llama.cpp's rounding rather than 1e-3 away from it.
float gelu_tanh(float x) {
    if (x <= -10.0f) return 0.0f;
    if (x >= 10.0f) return x;
    constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
    constexpr float kCoef = 0.044715f;
    const float h = fp16_to_fp32(fp32_to_fp16(x));
    return fp16_to_fp32(fp32_to_fp16(0.5f * h * (1.0f + std::tanh(kSqrt2OverPi * h * (1.0f + kCoef * h * h)))));
}
}  // namespace

void CpuBackend::geglu(const float *gate, const float *up, float *out, int64_t n) const {
    for (int64_t i = 0; i < n; ++i) out[i] = gelu_tanh(gate[i]) * up[i];
}

void CpuBackend::gelu(float *x, int64_t n) const {
    for (int64_t i = 0; i < n; ++i) x[i] = gelu_tanh(x[i]);
}

void CpuBackend::add(float *y, const float *x, int64_t n) const { ops_->add(y, x, n); }

void CpuBackend::scale(float *x, int64_t n, float factor) const {
    for (int64_t i = 0; i < n; ++i) x[i] *= factor;
}

void CpuBackend::softcap(float *x, int64_t n, float cap) const {
    const float inv = 1.0f / cap;
    for (int64_t i = 0; i < n; ++i) x[i] = cap * std::tanh(x[i] * inv);
}

void CpuBackend::attention(const KvCache &cache, int32_t layer, const AttentionShape &shape,
                           const AttentionOptions &options, const KvCellTable &cells, const QuerySpan *spans,
                           const float *q, float *out, int32_t n_tokens, const backend::OpContext &ctx) const {
    const KvPlanes kv{cache.type(), cache.k_plane(layer), cache.v_plane(layer), cache.k_row_bytes(),
                      cache.v_row_bytes()};
    // Every available variant has attention kernels for the cache's types (scalar at least).
    if (!cpu::attention(shape, options, kv, cells, spans, q, out, n_tokens, ctx.pool, workspace_of(ctx).attention,
                        variant_)) {
        fail(LM_ERR_INTERNAL, std::string("no ") + variant_name(variant_) + " attention kernel for the KV cache's type");
    }
}

}  // namespace lamina::cpu
