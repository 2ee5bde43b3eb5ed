// Kernels over the interleaved-row layouts of quant/interleaved.h. A variant that has them makes
// the CPU backend (cpu/cpu_backend.h) repack Q4_0 / Q8_0 / Q4_K / Q5_K / Q6_K matrices (16 rows
// a group): scalar, AVX-512 and NEON with dotprod all five (AVX-512's Q8_0 only with VNNI), AVX2
// all but Q8_0. For a type a variant has none for (and NEON without dotprod) weights stay in the
// file's layout and cpu::DotKernel computes with them. tests/native/cpu_interleaved_test.cpp
// holds every variant to the scalar kernels.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cpu/kernels.h"
#include "quant/ggml_type.h"

namespace lamina::cpu {

struct InterleavedKernel {
    // Bytes of one activation row of k elements, and its conversion (quant::ActBlockQ8x32).
    size_t (*act_row_bytes)(int64_t k);
    void (*convert_act)(const float *x, void *dst, int64_t k);
    // out[t * out_stride + 16 g + r] = dot(row r of group g, activation row t) for g < n_groups
    // and t < n_act; groups are group_stride bytes apart, activation rows act_stride bytes.
    void (*gemm)(int64_t k, const void *groups, size_t group_stride, int64_t n_groups, const void *act,
                 size_t act_stride, int64_t n_act, float *out, size_t out_stride);
};

// The active variant's kernel for the interleaved layout of `type`, or nullptr: then weights
// of that type stay in the file's layout.
const InterleavedKernel *interleaved_kernel(GgmlType type);
// A specific variant's own (nullptr also when this CPU cannot run it); `extensions` = false
// skips VNNI so tests cover both AVX-512 paths on a CPU that has it.
const InterleavedKernel *interleaved_kernel(GgmlType type, Variant v, bool extensions = true);

}  // namespace lamina::cpu
