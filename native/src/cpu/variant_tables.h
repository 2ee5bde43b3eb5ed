// Internal: each variant's kernel table. A variant returns nullptr for types it does not
// implement itself; dispatch.cpp then falls back to the next lower variant (finally scalar).
#pragma once

#include <cstddef>
#include <cstdint>

#include "cpu/attention.h"
#include "cpu/kernels.h"
#include "cpu/layer_ops.h"

namespace lamina::cpu::detail {

using DotRowsFn = void (*)(int64_t, const void *, size_t, int64_t, const void *, float *);

namespace {
// dot_rows_batch for kernels without a batched form: one dot_rows call per activation row.
// (Unnamed namespace: every ISA file instantiates its own copy with its own flags.)
template <DotRowsFn DotRows>
void batch_by_rows(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act,
                   size_t act_stride, int64_t n_act, float *out, size_t out_stride) {
    float tmp[64];
    for (int64_t t = 0; t < n_act; ++t) {
        const void *a = static_cast<const char *>(act) + static_cast<size_t>(t) * act_stride;
        float *o = out + static_cast<size_t>(t) * out_stride;
        for (int64_t r0 = 0; r0 < n_rows; r0 += 64) {
            const int64_t nr = n_rows - r0 < 64 ? n_rows - r0 : 64;
            DotRows(k, static_cast<const char *>(w) + static_cast<size_t>(r0) * w_stride, w_stride, nr, a, tmp);
            for (int64_t r = 0; r < nr; ++r) o[r0 + r] = tmp[r];
        }
    }
}
}  // namespace

const DotKernel *scalar_dot_kernel(GgmlType type);
bool scalar_to_float(GgmlType type, const void *src, float *dst, int64_t n);
const AttentionKernel *scalar_attention_kernel(GgmlType type);
const LayerOps *scalar_layer_ops();

#if defined(__x86_64__) || defined(_M_X64)
const DotKernel *avx2_dot_kernel(GgmlType type);
const DotKernel *avx512_dot_kernel(GgmlType type);
// The AVX-512 kernels that use VNNI (VPDPBUSD); only consulted when the CPU has it.
const DotKernel *avx512_vnni_dot_kernel(GgmlType type);
const AttentionKernel *avx2_attention_kernel(GgmlType type);
const AttentionKernel *avx512_attention_kernel(GgmlType type);
const LayerOps *avx2_layer_ops();
const LayerOps *avx512_layer_ops();
#endif

#if defined(__aarch64__)
const DotKernel *neon_dot_kernel(GgmlType type);
// The kernels using SDOT; only consulted when the CPU has dotprod.
const DotKernel *neon_dotprod_dot_kernel(GgmlType type);
const AttentionKernel *neon_attention_kernel(GgmlType type);
const LayerOps *neon_layer_ops();
#endif

}  // namespace lamina::cpu::detail
