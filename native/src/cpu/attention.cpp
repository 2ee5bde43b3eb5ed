#include "cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/float_convert.h"
#include "runtime/thread_pool.h"

namespace lamina::cpu {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
// Fewer (token, KV head) items than this many per thread leave threads idle near the end of a
// loop; below it the KV range of each item is split.
constexpr int64_t kItemsPerThread = 4;

// The running softmax state of a KV head's query group over part of the KV range: per query
// row the largest score seen, the sum of exp(score - max) and the unnormalised sum of V rows.
struct SoftmaxState {
    float *acc;  // group x head_dim
    float *max;  // group
    float *sum;  // group
};

struct Plan {
    int32_t head_dim, head_dim_v, group, n_head_kv, q_row, out_row;  // floats of one token's queries / outputs
    float scale;
    float softcap;
    int32_t window;
    const float *alibi_slopes;
    bool plain;  // no soft cap, window or ALiBi: scores are only scaled
    const KvPlanes *kv;
    const KvCellTable *cells;
    const DotKernel *dot;
    const AttentionKernel *kernel;
    size_t k_head_bytes;      // one KV head's part of a cache row of K
    size_t v_head_bytes;      // and of V
    size_t act_stride;        // bytes of one converted query row (a multiple of 4)
    size_t act_floats;        // floats reserved for the group's converted queries
    size_t state_floats;      // floats of one SoftmaxState
    size_t thread_floats;     // floats of one thread's scratch
    int32_t chunks;
};

SoftmaxState state_at(const Plan &p, float *base) {
    const size_t accs = static_cast<size_t>(p.group) * p.head_dim_v;
    return {base, base + accs, base + accs + p.group};
}

// The group's queries in the form K's dot product takes: rounded to F16 for an F16 cache (as
// llama.cpp rounds Q before its F16 K·Q), quantized for Q8_0, as they are for F32.
void convert_queries(const Plan &p, const float *q_token, int32_t kv_head, uint8_t *act) {
    const int32_t D = p.head_dim;
    for (int32_t g = 0; g < p.group; ++g) {
        const float *qh = q_token + static_cast<size_t>(kv_head * p.group + g) * D;
        uint8_t *dst = act + static_cast<size_t>(g) * p.act_stride;
        if (p.kv->type == GgmlType::F16) {
            float *f = reinterpret_cast<float *>(dst);
            for (int32_t d = 0; d < D; ++d) f[d] = fp16_to_fp32(fp32_to_fp16(qh[d]));
        } else {
            p.dot->convert_act(qh, dst, D);
        }
    }
}

// The position cell c holds: without a cell table (dense spans only) cell c holds position c.
int32_t cell_position(const KvCellTable &cells, int32_t c) { return cells.pos != nullptr ? cells.pos[c] : c; }

// Bit j set: cell j0 + j of the tile is visible to the span's token.
uint32_t visible_cells(const KvCellTable &cells, const QuerySpan &span, int32_t j0, int32_t n, int32_t window) {
    uint32_t bits = 0;
    for (int32_t j = 0; j < n; ++j) {
        const int32_t pos = cell_position(cells, j0 + j);
        const bool seen = (span.dense || (cells.seqs[j0 + j] & span.seq_bit) != 0) && pos <= span.pos &&
                          (window == 0 || span.pos - pos < window);
        bits |= static_cast<uint32_t>(seen) << j;
    }
    return bits;
}

// Folds cells [begin, end) of one KV head into a fresh state, a tile at a time.
void attend_range(const Plan &p, int32_t kv_head, const uint8_t *act, float *scores, int32_t begin, int32_t end,
                  const QuerySpan &span, const SoftmaxState &st) {
    const int32_t D = p.head_dim, Dv = p.head_dim_v;
    std::fill(st.acc, st.acc + static_cast<size_t>(p.group) * Dv, 0.0f);
    std::fill(st.max, st.max + p.group, kNegInf);
    std::fill(st.sum, st.sum + p.group, 0.0f);
    const size_t stride = p.kv->k_row_bytes, v_stride = p.kv->v_row_bytes;
    for (int32_t j0 = begin; j0 < end; j0 += kAttentionTile) {
        const int32_t n = std::min(kAttentionTile, end - j0);
        const uint32_t all = n == 32 ? ~uint32_t{0} : (uint32_t{1} << n) - 1;
        const uint32_t visible = span.dense && p.window == 0 ? all : visible_cells(*p.cells, span, j0, n, p.window);
        if (visible == 0) continue;
        const uint8_t *k = p.kv->k + static_cast<size_t>(j0) * stride + kv_head * p.k_head_bytes;
        const uint8_t *v = p.kv->v + static_cast<size_t>(j0) * v_stride + kv_head * p.v_head_bytes;
        p.dot->dot_rows_batch(D, k, stride, n, act, p.act_stride, p.group, scores, kAttentionTile);
        for (int32_t g = 0; g < p.group; ++g) {
            float *s = scores + static_cast<size_t>(g) * kAttentionTile;
            float tile_max = kNegInf;
            if (!p.plain) {
                const float slope = p.alibi_slopes != nullptr ? p.alibi_slopes[kv_head * p.group + g] : 0.0f;
                for (int32_t j = 0; j < n; ++j) {
                    if ((visible >> j & 1) == 0) {
                        s[j] = kNegInf;
                        continue;
                    }
                    float x = s[j] * p.scale;
                    if (p.softcap != 0.0f) x = p.softcap * std::tanh(x / p.softcap);
                    if (slope != 0.0f) x -= slope * static_cast<float>(span.pos - cell_position(*p.cells, j0 + j));
                    s[j] = x;
                    tile_max = std::max(tile_max, x);
                }
            } else if (visible != all) {
                // exp of a masked score is 0 (the kernels clamp far below any visible score).
                for (int32_t j = 0; j < n; ++j) s[j] = (visible >> j & 1) ? s[j] * p.scale : kNegInf;
                for (int32_t j = 0; j < n; ++j) tile_max = std::max(tile_max, s[j]);
            } else {
                for (int32_t j = 0; j < n; ++j) tile_max = std::max(tile_max, s[j] *= p.scale);
            }
            float *acc = st.acc + static_cast<size_t>(g) * Dv;
            if (tile_max > st.max[g]) {
                // exp(-inf) = 0 on the first tile: the empty state rescales to itself.
                const float rescale = std::exp(st.max[g] - tile_max);
                for (int32_t d = 0; d < Dv; ++d) acc[d] *= rescale;
                st.sum[g] *= rescale;
                st.max[g] = tile_max;
            }
            st.sum[g] += p.kernel->exp_shifted(s, n, st.max[g]);
            if (p.kv->type == GgmlType::F16) {
                for (int32_t j = 0; j < n; ++j) s[j] = fp16_to_fp32(fp32_to_fp16(s[j]));
            }
            if (visible == all) {
                p.kernel->accumulate(Dv, s, n, v, v_stride, acc);
            } else {
                // Visible runs only: a masked cell may hold anything (a free cell keeps what a
                // failed evaluation left, NaN included), and 0 * NaN would poison the sum.
                for (uint32_t rest = visible; rest != 0;) {
                    const int32_t start = __builtin_ctz(rest);
                    const uint32_t from_start = rest >> start;
                    const int32_t len = from_start == ~uint32_t{0} >> start ? 32 - start : __builtin_ctz(~from_start);
                    p.kernel->accumulate(Dv, s + start, len, v + static_cast<size_t>(start) * v_stride, v_stride, acc);
                    rest &= len + start >= 32 ? 0 : ~((uint32_t{1} << (start + len)) - 1);
                }
            }
        }
    }
}

void write_normalised(const Plan &p, const SoftmaxState &st, float *out_token, int32_t kv_head) {
    const int32_t D = p.head_dim_v;
    for (int32_t g = 0; g < p.group; ++g) {
        const float inv = 1.0f / st.sum[g];
        const float *acc = st.acc + static_cast<size_t>(g) * D;
        float *o = out_token + static_cast<size_t>(kv_head * p.group + g) * D;
        for (int32_t d = 0; d < D; ++d) o[d] = acc[d] * inv;
    }
}

// Merges the chunks' states of one item: each rescaled to the largest max, then normalised.
void merge_chunks(const Plan &p, float *partials, float *out_token, int32_t kv_head) {
    const int32_t D = p.head_dim_v;
    for (int32_t g = 0; g < p.group; ++g) {
        float m = kNegInf;
        for (int32_t c = 0; c < p.chunks; ++c) m = std::max(m, state_at(p, partials + c * p.state_floats).max[g]);
        float *o = out_token + static_cast<size_t>(kv_head * p.group + g) * D;
        std::fill(o, o + D, 0.0f);
        float sum = 0.0f;
        for (int32_t c = 0; c < p.chunks; ++c) {
            const SoftmaxState st = state_at(p, partials + c * p.state_floats);
            if (st.max[g] == kNegInf) continue;  // an empty chunk
            const float w = std::exp(st.max[g] - m);
            sum += w * st.sum[g];
            const float *acc = st.acc + static_cast<size_t>(g) * D;
            for (int32_t d = 0; d < D; ++d) o[d] += w * acc[d];
        }
        const float inv = 1.0f / sum;
        for (int32_t d = 0; d < D; ++d) o[d] *= inv;
    }
}

int32_t choose_chunks(int64_t items, int32_t n_threads, int32_t n_positions) {
    if (n_positions <= 0) return 1;
    const int64_t wanted = kItemsPerThread * n_threads;
    if (items >= wanted) return 1;
    const int64_t tiles = (n_positions + kAttentionTile - 1) / kAttentionTile;
    return static_cast<int32_t>(std::max<int64_t>(1, std::min((wanted + items - 1) / items, tiles)));
}

}  // namespace

void causal_spans(int32_t pos, int32_t n_tokens, std::vector<QuerySpan> &out) {
    out.resize(static_cast<size_t>(std::max(n_tokens, 0)));
    for (int32_t t = 0; t < n_tokens; ++t) out[t] = QuerySpan{0, pos + t + 1, pos + t, 1, true};
}

bool attention(const AttentionShape &shape, const AttentionOptions &options, const KvPlanes &kv, const KvCellTable &cells, const QuerySpan *spans,
               const float *q, float *out, int32_t n_tokens, ThreadPool &pool, AttentionScratch &scratch,
               Variant variant, int32_t n_chunks) {
    Plan p{};
    p.dot = dot_kernel(kv.type, variant);
    p.kernel = attention_kernel(kv.type, variant);
    if (p.dot == nullptr || p.kernel == nullptr) return false;
    p.head_dim = shape.head_dim;
    p.head_dim_v = shape.head_dim_v > 0 ? shape.head_dim_v : shape.head_dim;
    p.group = shape.n_head / shape.n_head_kv;
    p.n_head_kv = shape.n_head_kv;
    p.q_row = shape.n_head * shape.head_dim;
    p.out_row = shape.n_head * p.head_dim_v;
    p.scale = options.scale > 0.0f ? options.scale : 1.0f / std::sqrt(static_cast<float>(shape.head_dim));
    p.softcap = options.softcap;
    p.window = options.window;
    p.alibi_slopes = options.alibi_slopes;
    p.plain = options.softcap == 0.0f && options.window == 0 && options.alibi_slopes == nullptr;
    p.kv = &kv;
    p.cells = &cells;
    p.k_head_bytes = kv.k_row_bytes / shape.n_head_kv;
    p.v_head_bytes = kv.v_row_bytes / shape.n_head_kv;
    p.act_stride = (p.dot->act_row_bytes(shape.head_dim) + 3) & ~size_t{3};
    p.act_floats = p.act_stride / sizeof(float) * p.group;
    p.state_floats = static_cast<size_t>(p.group) * (p.head_dim_v + 2);
    p.thread_floats = p.act_floats + static_cast<size_t>(p.group) * kAttentionTile + p.state_floats;

    const int64_t jobs = static_cast<int64_t>(n_tokens) * shape.n_head_kv;
    int32_t widest = 0;
    for (int32_t t = 0; t < n_tokens; ++t) widest = std::max(widest, spans[t].end - spans[t].begin);
    p.chunks = n_chunks > 0 ? n_chunks : choose_chunks(jobs, pool.size(), widest);
    const int64_t items = jobs * p.chunks;
    const size_t threads_floats = p.thread_floats * pool.size();
    const size_t partial_floats = p.chunks > 1 ? static_cast<size_t>(items) * p.state_floats : 0;
    if (scratch.work.size() < threads_floats + partial_floats) scratch.work.resize(threads_floats + partial_floats);
    float *partials = scratch.work.data() + threads_floats;

    pool.for_each_chunk(items, 1, [&](int64_t begin, int64_t end, int thread) {
        float *mine = scratch.work.data() + static_cast<size_t>(thread) * p.thread_floats;
        uint8_t *act = reinterpret_cast<uint8_t *>(mine);
        float *scores = mine + p.act_floats;
        for (int64_t item = begin; item < end; ++item) {
            const int64_t job = item / p.chunks;
            const int32_t c = static_cast<int32_t>(item % p.chunks);
            const int32_t t = static_cast<int32_t>(job / shape.n_head_kv);
            const int32_t kv_head = static_cast<int32_t>(job % shape.n_head_kv);
            const QuerySpan &span = spans[t];
            const int32_t width = span.end - span.begin;
            const int32_t tiles = (width + kAttentionTile - 1) / kAttentionTile;
            const int32_t first =
                span.begin + static_cast<int32_t>(static_cast<int64_t>(c) * tiles / p.chunks) * kAttentionTile;
            const int32_t last = std::min(
                span.end,
                span.begin + static_cast<int32_t>(static_cast<int64_t>(c + 1) * tiles / p.chunks) * kAttentionTile);
            const SoftmaxState st =
                state_at(p, p.chunks > 1 ? partials + static_cast<size_t>(item) * p.state_floats
                                         : scores + static_cast<size_t>(p.group) * kAttentionTile);
            convert_queries(p, q + static_cast<size_t>(t) * p.q_row, kv_head, act);
            attend_range(p, kv_head, act, scores, first, last, span, st);
            if (p.chunks == 1) write_normalised(p, st, out + static_cast<size_t>(t) * p.out_row, kv_head);
        }
    });
    if (p.chunks == 1) return true;
    pool.for_each_chunk(jobs, 1, [&](int64_t begin, int64_t end, int) {
        for (int64_t job = begin; job < end; ++job) {
            const int32_t t = static_cast<int32_t>(job / shape.n_head_kv);
            merge_chunks(p, partials + static_cast<size_t>(job * p.chunks) * p.state_floats,
                         out + static_cast<size_t>(t) * p.out_row, static_cast<int32_t>(job % shape.n_head_kv));
        }
    });
    return true;
}

}  // namespace lamina::cpu
