// CPU kernels behind one interface per weight type, with a scalar reference and per-ISA variants
// (AVX2, AVX-512 with VNNI where present, NEON with dotprod where present) chosen once at run
// time from the CPU's features. LAMINA_CPU=scalar|avx2|avx512|neon forces a variant; an unknown
// or unavailable one falls back to the best available variant and variant_override_error()
// says why (never an illegal instruction).
//
// A matrix product quantizes/converts each activation row once into the weight type's partner
// format and then takes dot products of weight rows with it. act_type: F32 for F32/F16/BF16
// weights, Q8_0 for Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 (ggml pairs the _1 types with Q8_1; Lamina sums the
// Q8_0 integers exactly instead), Q8_K for Q2_K..Q6_K.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "quant/ggml_type.h"

namespace lamina::cpu {

enum class Variant { Scalar, Avx2, Avx512, Neon };

const char *variant_name(Variant v);
// The variant in use by this process (detected once; LAMINA_CPU may force one).
Variant active_variant();
// Whether this CPU and OS can run `v`.
bool variant_available(Variant v);
// Why LAMINA_CPU could not be honoured (unknown name, or a variant this CPU/OS/build cannot run;
// the process then uses the best available variant instead). Empty when it was, or is unset.
const char *variant_override_error();
// How a LAMINA_CPU value resolves on this machine: the variant used and, if the request could
// not be honoured, why (active_variant() applies this to the real environment once).
struct VariantChoice {
    Variant variant;
    std::string override_error;
};
VariantChoice choose_variant(const char *lamina_cpu);
// Whether variant `v` has its own kernel for `type` (otherwise dot_kernel(type, v) hands out the
// next lower variant's: AVX-512 -> AVX2 -> scalar, NEON -> scalar).
bool variant_implements(GgmlType type, Variant v);

struct DotKernel {
    GgmlType act_type;  // the format activations are converted to before dot products
    // Bytes one activation row of k elements takes in act_type.
    size_t (*act_row_bytes)(int64_t k);
    // Converts k floats into act_type. k is a multiple of the weight type's block size.
    void (*convert_act)(const float *x, void *dst, int64_t k);
    // out[r] = dot(weight row r, act) for r in [0, n_rows); rows are w_stride bytes apart.
    void (*dot_rows)(int64_t k, const void *w, size_t w_stride, int64_t n_rows, const void *act,
                     float *out);
    // The same for n_act activation rows at once (act_stride bytes apart, e.g. the tokens of a
    // prompt): out[t * out_stride + r] = dot(weight row r, activation row t). Each weight block
    // is unpacked once for up to 4 activation rows, so batches should prefer this (1.5-3x for
    // quantized types); results equal dot_rows per activation row up to float summation order.
    // act_stride must keep every activation row aligned as act_type needs (a multiple of 4).
    void (*dot_rows_batch)(int64_t k, const void *w, size_t w_stride, int64_t n_rows,
                           const void *act, size_t act_stride, int64_t n_act, float *out,
                           size_t out_stride);
};

// The kernel for weights of `type` in the active variant, or nullptr if the type has none.
const DotKernel *dot_kernel(GgmlType type);
// The kernel of a specific variant (tests compare every variant with the scalar one); nullptr
// also when this CPU cannot run `v`.
const DotKernel *dot_kernel(GgmlType type, Variant v);

// Like dot_kernel(type, v) but without the variant's optional extensions (AVX-512 without VNNI,
// NEON without dotprod), so tests can cover both code paths on a CPU that has the extension.
const DotKernel *dot_kernel_baseline(GgmlType type, Variant v);

// Dequantizes/converts n elements (a multiple of the block size) of `type` to float.
// Returns false for a type without a converter.
bool to_float(GgmlType type, const void *src, float *dst, int64_t n);

}  // namespace lamina::cpu
