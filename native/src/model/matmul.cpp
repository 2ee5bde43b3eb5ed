#include "model/matmul.h"

#include <algorithm>
#include <string>

#include "common/error.h"
#include "cpu/kernels.h"

namespace lamina {

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
}  // namespace

void matmul(const Weight &w, const float *x, int64_t n_tokens, float *y, ThreadPool &pool,
            std::vector<uint8_t> &scratch) {
    const cpu::DotKernel *k = cpu::dot_kernel(w.type);
    if (k == nullptr) {
        fail(LM_ERR_INTERNAL, "no kernel for weight '" + std::string(w.name, w.name_len) + "'");
    }
    const int64_t K = w.cols, N = w.rows;
    const size_t act_bytes = k->act_row_bytes(K);
    // Round rows to 64 bytes so every converted row starts cache-line aligned.
    const size_t act_stride = (act_bytes + 63) / 64 * 64;
    if (scratch.size() < act_stride * n_tokens + 64) scratch.resize(act_stride * n_tokens + 64);
    uint8_t *act = scratch.data() + (64 - reinterpret_cast<uintptr_t>(scratch.data()) % 64) % 64;

    for (int64_t t = 0; t < n_tokens; ++t) k->convert_act(x + t * K, act + t * act_stride, K);
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
    if (!cpu::to_float(w.type, w.row(row), out, w.cols)) {
        fail(LM_ERR_INTERNAL, "no converter for weight '" + std::string(w.name, w.name_len) + "'");
    }
}

}  // namespace lamina
