// Shrinks a real GGUF model to a structurally identical miniature: the same metadata keys and
// types, the same tensor names and types, but one layer, a few hundred tokens and the narrowest
// widths the tensor types allow. Fuzz seeds (make_seeds.cpp) and the malformed-file corpus
// (malformed_files_test.cpp) start from these so every execution stays a few kilobytes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/float_convert.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

namespace lamina::fuzz {

struct ShrinkOptions {
    int64_t max_tokens = 300;  // vocabulary entries kept (the first ones: specials and bytes)
    bool keep_weights = true;  // false: vocabulary-only output (no tensors)
    size_t alignment = 32;     // general.alignment of the output (written when not 32)
};

namespace detail {

inline std::string arch_key(const GgufFile &f, const std::string &suffix) {
    return std::string(f.get_string_or("general.architecture", "llama")) + "." + suffix;
}

// A copy of an array value restricted to its first `n` elements.
inline GgufValue array_prefix(const GgufValue &v, uint64_t n) {
    GgufValue out = v;
    out.count = std::min(v.count, n);
    if (v.elem_type == GgufValueType::STRING) out.strings.resize(out.count);
    return out;
}

inline bool is_token_id_key(std::string_view key) {
    return key.rfind("tokenizer.ggml.", 0) == 0 && key.size() > 9 &&
           key.substr(key.size() - 9) == "_token_id";
}

// Deterministic small weights: F32/F16/BF16 get values in [-0.5, 0.5]; block formats get zero
// bytes (a zero scale dequantizes to zeros, which every kernel handles).
// Rotary frequency factors (rope_freqs.weight) divide the frequencies, so the loader accepts only
// positive ones: those get values in [1, 4], or the miniature would never load.
inline std::vector<uint8_t> weight_bytes(GgmlType type, int64_t n_elements, size_t n_bytes, uint32_t seed,
                                         bool positive = false) {
    std::vector<uint8_t> out(n_bytes, 0);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(positive ? 1.0f : -0.5f, positive ? 4.0f : 0.5f);
    if (type == GgmlType::F32) {
        for (int64_t i = 0; i < n_elements; ++i) {
            const float x = dist(rng);
            std::memcpy(out.data() + 4 * i, &x, 4);
        }
    } else if (type == GgmlType::F16 || type == GgmlType::BF16) {
        for (int64_t i = 0; i < n_elements; ++i) {
            const float x = dist(rng);
            const uint16_t h = type == GgmlType::F16 ? fp32_to_fp16(x) : fp32_to_bf16(x);
            std::memcpy(out.data() + 2 * i, &h, 2);
        }
    }
    return out;
}

}  // namespace detail

// Returns the serialized miniature of `src`.
inline std::vector<uint8_t> shrink_model(const GgufFile &src, const ShrinkOptions &opt = {}) {
    using detail::arch_key;
    GgufWriter w;

    // Widths: the smallest that every matrix type's block size divides.
    int64_t block = 16;  // at least 8 per head with 2 heads: rotary pairs need an even width
    for (const GgufTensorInfo &t : src.tensors()) {
        block = std::max<int64_t>(block, type_geometry(static_cast<uint32_t>(t.type)).block_size);
    }

    // Vocabulary: the first max_tokens entries (fewer with 256-wide K-quant rows, which make
    // every embedding row large); merges only between kept tokens.
    std::unordered_set<std::string_view> kept_tokens;
    const GgufValue *tokens = src.find("tokenizer.ggml.tokens");
    const uint64_t n_vocab_src = tokens != nullptr ? tokens->count : 0;
    const int64_t max_tokens = block >= 256 ? std::min<int64_t>(opt.max_tokens, 64) : opt.max_tokens;
    const uint64_t n_vocab = std::min<uint64_t>(n_vocab_src, static_cast<uint64_t>(max_tokens));
    if (tokens != nullptr && tokens->elem_type == GgufValueType::STRING) {
        for (uint64_t i = 0; i < n_vocab; ++i) kept_tokens.insert(tokens->strings[i]);
    }
    std::vector<std::string_view> merges;
    if (const GgufValue *m = src.find("tokenizer.ggml.merges");
        m != nullptr && m->type == GgufValueType::ARRAY && m->elem_type == GgufValueType::STRING) {
        for (std::string_view merge : m->strings) {
            const size_t space = merge.find(' ', 1);
            if (space == std::string_view::npos) continue;
            const std::string joined = std::string(merge.substr(0, space)) + std::string(merge.substr(space + 1));
            if (kept_tokens.count(merge.substr(0, space)) && kept_tokens.count(merge.substr(space + 1)) &&
                kept_tokens.count(joined)) {
                merges.push_back(merge);
            }
        }
    }

    const int64_t n_head_src = src.get_int_or(arch_key(src, "attention.head_count"), 1);
    const int64_t n_head_kv_src = src.get_int_or(arch_key(src, "attention.head_count_kv"), n_head_src);
    const int64_t n_head = n_head_src >= 2 ? 2 : 1;
    const int64_t n_head_kv = n_head_kv_src < n_head_src ? 1 : n_head;
    const int64_t E = block;                    // n_embd
    const int64_t head_dim = E / n_head;
    const int64_t Q = n_head * head_dim, KV = n_head_kv * head_dim, F = block;
    const int64_t V = static_cast<int64_t>(n_vocab);

    // Old value -> new value for every dimension that names a model width.
    std::map<int64_t, int64_t> dim_map;
    const int64_t E_src = src.get_int_or(arch_key(src, "embedding_length"), 0);
    const int64_t hd_src = n_head_src > 0 && E_src % n_head_src == 0 ? E_src / n_head_src : 0;
    const int64_t hd_key_src = src.get_int_or(arch_key(src, "attention.key_length"), hd_src);
    dim_map[static_cast<int64_t>(n_vocab_src)] = V;
    dim_map[src.get_int_or(arch_key(src, "feed_forward_length"), 0)] = F;
    dim_map[n_head_kv_src * hd_key_src] = KV;
    dim_map[n_head_src * hd_key_src] = Q;
    dim_map[E_src] = E;
    const int64_t n_rot_src = src.get_int_or(arch_key(src, "rope.dimension_count"), hd_key_src);
    dim_map[n_rot_src / 2] = head_dim / 2;

    const std::set<std::string> replaced = {
        "tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.merges",
        arch_key(src, "embedding_length"), arch_key(src, "feed_forward_length"), arch_key(src, "block_count"),
        arch_key(src, "attention.head_count"), arch_key(src, "attention.head_count_kv"),
        arch_key(src, "attention.key_length"), arch_key(src, "attention.value_length"),
        arch_key(src, "rope.dimension_count"), arch_key(src, "context_length"),
    };
    for (const GgufKv &kv : src.metadata()) {
        const std::string key(kv.key);
        if (key == "general.alignment") continue;
        if (replaced.count(key) != 0) {
            if (kv.value.type == GgufValueType::ARRAY && key != "tokenizer.ggml.merges") {
                w.set_value(key, detail::array_prefix(kv.value, n_vocab));
            }
            continue;
        }
        if (detail::is_token_id_key(key) && kv.value.is_integer() && kv.value.i >= V) continue;
        w.set_value(key, kv.value);
    }
    if (!merges.empty()) {
        GgufValue m;
        m.type = GgufValueType::ARRAY;
        m.elem_type = GgufValueType::STRING;
        m.count = merges.size();
        m.strings = merges;
        w.set_value("tokenizer.ggml.merges", m);
    }
    if (src.has(arch_key(src, "embedding_length"))) {
        w.set_u32(arch_key(src, "context_length"), 64);
        w.set_u32(arch_key(src, "embedding_length"), static_cast<uint32_t>(E));
        w.set_u32(arch_key(src, "feed_forward_length"), static_cast<uint32_t>(F));
        w.set_u32(arch_key(src, "block_count"), 1);
        w.set_u32(arch_key(src, "attention.head_count"), static_cast<uint32_t>(n_head));
        w.set_u32(arch_key(src, "attention.head_count_kv"), static_cast<uint32_t>(n_head_kv));
        w.set_u32(arch_key(src, "rope.dimension_count"), static_cast<uint32_t>(head_dim));
        if (src.has(arch_key(src, "vocab_size"))) w.set_u32(arch_key(src, "vocab_size"), static_cast<uint32_t>(V));
    }

    if (opt.keep_weights) {
        uint32_t seed = 1;
        for (const GgufTensorInfo &t : src.tensors()) {
            const std::string name(t.name);
            if (name.rfind("blk.", 0) == 0 && name.rfind("blk.0.", 0) != 0) continue;  // one layer
            std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
            for (int64_t &d : ne) {
                const auto it = dim_map.find(d);
                if (it != dim_map.end()) d = it->second;
            }
            const TypeGeometry geo = type_geometry(static_cast<uint32_t>(t.type));
            int64_t n = 1;
            for (int64_t d : ne) n *= d;
            const size_t n_bytes = static_cast<size_t>(n / geo.block_size) * geo.type_size;
            const std::vector<uint8_t> data = detail::weight_bytes(t.type, n, n_bytes, seed++, name == "rope_freqs.weight");
            w.add_tensor(name, t.type, ne, data.data(), data.size());
        }
    }
    return w.serialize(opt.alignment);
}

// Offset where the tensor data section of a serialized file starts (its size if no tensors).
inline size_t data_section_offset(const std::vector<uint8_t> &bytes) {
    auto f = GgufFile::parse(bytes.data(), bytes.size(), "shrunk");
    size_t start = bytes.size();
    for (const GgufTensorInfo &t : f->tensors()) start = std::min(start, static_cast<size_t>(t.data - bytes.data()));
    return start;
}

}  // namespace lamina::fuzz
