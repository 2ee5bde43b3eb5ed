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

    pool.parallel_for(n_tokens, [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) k->convert_act(x + t * K, act + t * act_stride, K);
    });
    pool.parallel_for(N, [&](int64_t r0, int64_t r1) {
        for (int64_t rb = r0; rb < r1; rb += kRowBlock) {
            const int64_t nr = std::min(kRowBlock, r1 - rb);
            for (int64_t t = 0; t < n_tokens; ++t) {
                k->dot_rows(K, w.row(rb), w.row_bytes, nr, act + t * act_stride, y + t * N + rb);
            }
        }
    }, kRowBlock);
}

void weight_row_to_float(const Weight &w, int64_t row, float *out) {
    if (!cpu::to_float(w.type, w.row(row), out, w.cols)) {
        fail(LM_ERR_INTERNAL, "no converter for weight '" + std::string(w.name, w.name_len) + "'");
    }
}

}  // namespace lamina
