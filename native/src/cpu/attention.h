// Attention of a batch of query tokens over a KV cache in F32, F16 or Q8_0, tiled with an
// online softmax (FlashAttention-2 style): per query row a running max, a running sum and an
// unnormalised accumulator, updated one tile of kAttentionTile KV positions at a time, so no
// score row as long as the context exists.
//
// Scores of a tile come from the KV type's DotKernel (dot_rows_batch over all query heads of
// a KV head's group, so each K row loaded serves the whole group); the query is rounded to F16
// for an F16 K (as llama.cpp does) and quantized to Q8_0 for a Q8_0 K. The weighted sum of V
// rows is the per-ISA AttentionKernel below.
//
// Work items are (token, KV head) pairs. When there are too few for every thread (a decode
// step), each pair's KV range is split into chunks that produce partial softmax states, merged
// afterwards; otherwise one item writes its normalised output directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cpu/kernels.h"
#include "quant/ggml_type.h"

namespace lamina {
class ThreadPool;
}

namespace lamina::cpu {

constexpr int32_t kAttentionTile = 32;

struct AttentionKernel {
    // acc[0, d) += sum over j in [0, n) of p[j] * (V row j), row j at v + j * v_stride bytes,
    // d values in the kernel's KV type (d a multiple of its block size).
    void (*accumulate)(int64_t d, const float *p, int64_t n, const void *v, size_t v_stride, float *acc);
    // s[j] = exp(s[j] - max) for j in [0, n); returns their sum. Every s[j] <= max.
    float (*exp_shifted)(float *s, int64_t n, float max);
};

// The kernel for V rows of `type` (F32, F16, Q8_0) in variant `v`; nullptr when this CPU cannot
// run `v` or the type has none.
const AttentionKernel *attention_kernel(GgmlType type, Variant v);

struct AttentionShape {
    int32_t head_dim;  // of Q and K
    int32_t n_head;
    int32_t n_head_kv;
    int32_t head_dim_v = 0;  // of V and the output; 0: head_dim
};

// What an architecture changes in the scores: their scale (0: 1/sqrt(head_dim)), a soft cap
// (scores become cap * tanh(score / cap), Gemma 2), a sliding window (a query at position p
// sees positions > p - window) and ALiBi (per query head h, slope[h] * -(p - p_key) added).
struct AttentionOptions {
    float scale = 0.0f;
    float softcap = 0.0f;
    int32_t window = 0;
    const float *alibi_slopes = nullptr;  // n_head values, or null
};

// One layer's cache planes: cell c's K row at k + c * k_row_bytes (KV head h's values at
// h * k_row_bytes / n_head_kv inside it), its V row likewise.
struct KvPlanes {
    GgmlType type;
    const uint8_t *k;
    const uint8_t *v;
    size_t k_row_bytes;
    size_t v_row_bytes;
};

// What query token t attends to: the cache cells [begin, end), every one of them when `dense`;
// otherwise those of its sequence (cell_seqs[c] & seq_bit) at a position <= pos, the others
// masked out (a tile with none of them is skipped). Single-sequence causal attention is dense.
struct QuerySpan {
    int32_t begin, end;
    int32_t pos;
    uint64_t seq_bit;
    bool dense;
};

// Per cell of the cache: the position it holds and the sequences holding it (see
// runtime/kv_cells.h). Null when every span is dense.
struct KvCellTable {
    const int32_t *pos = nullptr;
    const uint64_t *seqs = nullptr;
};

// The spans of plain causal attention: token t (position pos + t, in cell pos + t) sees cells
// [0, pos + t], all of them.
void causal_spans(int32_t pos, int32_t n_tokens, std::vector<QuerySpan> &out);

// Per-thread tiles and the partial states of split KV ranges; grows on first use.
struct AttentionScratch {
    std::vector<float> work;
};

// out[t][h * Dv + d] = softmax_j(q[t][h] . K[j][h / group] / sqrt(D)) V[j][h / group][d] over
// the cells j that spans[t] lets token t see, for t in [0, n_tokens), the scores changed as
// `options` says; q holds n_head * head_dim floats per token and out n_head * head_dim_v. n_chunks > 0 forces that many chunks per (token, KV head)
// (tests); 0 chooses from the thread count. Returns false when `variant` has no kernels for the
// KV type (this CPU cannot run it).
bool attention(const AttentionShape &shape, const AttentionOptions &options, const KvPlanes &kv, const KvCellTable &cells, const QuerySpan *spans,
               const float *q, float *out, int32_t n_tokens, ThreadPool &pool, AttentionScratch &scratch,
               Variant variant, int32_t n_chunks = 0);

}  // namespace lamina::cpu
