#include "cpu/matmul.h"

#include <algorithm>
#include <string>

#include "common/error.h"
#include "cpu/interleaved_kernels.h"
#include "cpu/kernels.h"
#include "quant/interleaved.h"

namespace lamina::cpu {
namespace {
// Weight rows handled per kernel call: a block small enough that its rows stay in L1/L2 while
// every token of the batch is multiplied with them.
constexpr int64_t kRowBlock = 16;
// Batches take bigger row blocks: the kernels prepare each activation block once per call, and
// 64 rows of a 2048-wide 4-bit matrix (~72 KB) still stay in L2 with the token block.
constexpr int64_t kBatchRowBlock = 64;
constexpr int64_t kTokenBlock = 64;
// Multiply-adds below which a product is not worth spreading over threads.
constexpr int64_t kMinParallelWork = int64_t{1} << 16;
// Tokens per chunk when activation rows are converted in parallel.
constexpr int64_t kConvertGrain = 8;

// 64-byte aligned room for n rows of `bytes` each, rows rounded up to whole cache lines.
uint8_t *activation_rows(std::vector<uint8_t> &scratch, size_t bytes, int64_t n, size_t *stride) {
    *stride = (bytes + 63) / 64 * 64;
    if (scratch.size() < *stride * n + 64) scratch.resize(*stride * n + 64);
    return scratch.data() + (64 - reinterpret_cast<uintptr_t>(scratch.data()) % 64) % 64;
}

// Converts the activation rows; a prompt's rows are spread over the threads.
void convert_rows(void (*convert)(const float *, void *, int64_t), const float *x, int64_t K, int64_t n_tokens,
                  uint8_t *act, size_t stride, ThreadPool &pool) {
    auto rows = [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) convert(x + t * K, act + t * stride, K);
    };
    if (n_tokens < 2 * kConvertGrain) {
        rows(0, n_tokens);
    } else {
        pool.parallel_for(n_tokens, rows, kConvertGrain);
    }
}

// Weights repacked at load (quant/interleaved.h): 16 rows a group, threads split by groups.
void matmul_interleaved(const Weight &w, const float *x, int64_t n_tokens, float *y, ThreadPool &pool,
                        std::vector<uint8_t> &scratch, Variant variant) {
    const InterleavedKernel *k = interleaved_kernel(w.type, variant);
    if (k == nullptr) {
        fail(LM_ERR_INTERNAL, "no interleaved kernel for weight '" + std::string(w.name, w.name_len) + "'");
    }
    const int64_t K = w.cols, N = w.rows, G = quant::kInterleave;
    const size_t group_bytes = quant::interleaved_group_bytes(w.type, K);
    size_t stride = 0;
    uint8_t *act = activation_rows(scratch, k->act_row_bytes(K), n_tokens, &stride);
    convert_rows(k->convert_act, x, K, n_tokens, act, stride, pool);
    auto groups = [&](int64_t g0, int64_t g1) {
        for (int64_t tb = 0; tb < n_tokens; tb += kTokenBlock) {
            const int64_t nt = std::min(kTokenBlock, n_tokens - tb);
            for (int64_t gb = g0; gb < g1; gb += kBatchRowBlock / G) {
                const int64_t ng = std::min(kBatchRowBlock / G, g1 - gb);
                k->gemm(K, w.data + gb * group_bytes, group_bytes, ng, act + tb * stride, stride, nt,
                        y + tb * N + gb * G, static_cast<size_t>(N));
            }
        }
    };
    if (N * K * n_tokens < kMinParallelWork) {
        groups(0, N / G);
    } else {
        pool.parallel_for(N / G, groups);
    }
}

}  // namespace

void matmul(const Weight &w, const float *x, int64_t n_tokens, float *y, ThreadPool &pool,
            std::vector<uint8_t> &scratch, Variant variant) {
    if (w.interleaved) {
        matmul_interleaved(w, x, n_tokens, y, pool, scratch, variant);
        return;
    }
    const DotKernel *k = dot_kernel(w.type, variant);
    if (k == nullptr) {
        fail(LM_ERR_INTERNAL, "no kernel for weight '" + std::string(w.name, w.name_len) + "'");
    }
    const int64_t K = w.cols, N = w.rows;
    size_t act_stride = 0;
    uint8_t *act = activation_rows(scratch, k->act_row_bytes(K), n_tokens, &act_stride);
    convert_rows(k->convert_act, x, K, n_tokens, act, act_stride, pool);
    auto rows = [&](int64_t r0, int64_t r1) {
        if (n_tokens == 1) {
            k->dot_rows(K, w.row(r0), w.row_bytes, r1 - r0, act, y + r0);
            return;
        }
        // Tiles of kRowBlock weight rows x kTokenBlock tokens: the weight tile stays in L1 while
        // every token of the block passes over it, the activation block stays in L2.
        for (int64_t tb = 0; tb < n_tokens; tb += kTokenBlock) {
            const int64_t nt = std::min(kTokenBlock, n_tokens - tb);
            for (int64_t rb = r0; rb < r1; rb += kBatchRowBlock) {
                const int64_t nr = std::min(kBatchRowBlock, r1 - rb);
                k->dot_rows_batch(K, w.row(rb), w.row_bytes, nr, act + tb * act_stride, act_stride, nt,
                                  y + tb * N + rb, static_cast<size_t>(N));
            }
        }
    };
    // Waking other threads costs microseconds: tiny products run on the caller alone.
    if (N * K * n_tokens < kMinParallelWork) {
        rows(0, N);
    } else {
        pool.parallel_for(N, rows, kRowBlock);
    }
}

void weight_row_to_float(const Weight &w, int64_t row, float *out) {
    if (w.interleaved) {
        fail(LM_ERR_INTERNAL, "weight '" + std::string(w.name, w.name_len) + "' was repacked; rows cannot be read");
    }
    if (!to_float(w.type, w.row(row), out, w.cols)) {
        fail(LM_ERR_INTERNAL, "no converter for weight '" + std::string(w.name, w.name_len) + "'");
    }
}

}  // namespace lamina::cpu
