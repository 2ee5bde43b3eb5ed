#include <algorithm>
#include "runtime/kv_cache.h"

#include <cstring>
#include <string>

#include "common/error.h"
#include "common/float_convert.h"
#include "quant/blocks.h"
#include "quant/q32_formats.h"

namespace lamina {
namespace {

struct KvTypeName {
    const char *name;
    GgmlType type;
};
// The first entry is the default.
constexpr KvTypeName kKvTypes[] = {{"f16", GgmlType::F16}, {"q8_0", GgmlType::Q8_0}, {"f32", GgmlType::F32}};

const KvTypeName *find_kv_type(GgmlType type) {
    for (const KvTypeName &t : kKvTypes) {
        if (t.type == type) return &t;
    }
    return nullptr;
}

}  // namespace

GgmlType parse_kv_type(const char *name) {
    if (name == nullptr || *name == '\0') return kKvTypes[0].type;
    for (const KvTypeName &t : kKvTypes) {
        if (std::strcmp(name, t.name) == 0) return t.type;
    }
    fail(LM_ERR_INVALID_ARGUMENT, "kv_type = '" + std::string(name) + "' is not a KV cache type (known: " +
                                      kv_type_names() + ")");
}

const char *kv_type_name(GgmlType type) {
    const KvTypeName *t = find_kv_type(type);
    return t != nullptr ? t->name : "unknown";
}

std::string kv_type_names() {
    std::string s;
    for (const KvTypeName &t : kKvTypes) s += (s.empty() ? "" : ", ") + std::string(t.name);
    return s;
}

size_t kv_row_bytes(GgmlType type, int64_t n) {
    const TypeGeometry g = type_geometry(static_cast<uint32_t>(type));
    return static_cast<size_t>(n / g.block_size) * g.type_size;
}

KvCache::KvWidths KvCache::widths_of(const ModelHparams &hp) {
    return KvWidths{hp.n_embd_k(), hp.head_dim, hp.n_embd_v(), hp.head_dim_v, hp.values_in_keys};
}

void KvCache::check_type(GgmlType type, const KvWidths &w) {
    if (find_kv_type(type) == nullptr) {
        fail(LM_ERR_UNSUPPORTED, "KV cache type id " + std::to_string(static_cast<uint32_t>(type)) +
                                     " is not supported (known: " + kv_type_names() + ")");
    }
    // A KV head's values must start on a block boundary so each head's row is whole blocks.
    for (const int32_t head_dim : {w.head_dim_k, w.head_dim_v}) {
        if (type == GgmlType::Q8_0 && (head_dim <= 0 || head_dim % quant::kQK32 != 0)) {
            fail(LM_ERR_UNSUPPORTED, "KV cache type q8_0 needs a head dimension that is a multiple of " +
                                         std::to_string(quant::kQK32) + "; this model's is " +
                                         std::to_string(head_dim) + " (use kv_type f16 or f32)");
        }
    }
}

size_t KvCache::mha_kv_bytes_per_token(GgmlType type, const ModelHparams &hp) {
    const bool latent = hp.kv_lora_rank > 0;
    const int64_t k = latent ? hp.head_dim_mla : hp.head_dim, v = latent ? hp.head_dim_v_mla : hp.head_dim_v;
    const TypeGeometry g = type_geometry(static_cast<uint32_t>(type));
    const auto bytes = [&](int64_t n) {  // whole blocks per head
        return static_cast<size_t>((n + g.block_size - 1) / g.block_size) * g.type_size;
    };
    return (bytes(k) + bytes(v)) * static_cast<size_t>(std::max(hp.n_head, 0)) *
           static_cast<size_t>(std::max(hp.n_layer, 0));
}

size_t KvCache::kv_bytes_per_token(GgmlType type, const KvWidths &w, int32_t n_layer) {
    const size_t k = kv_row_bytes(type, std::max<int64_t>(w.n_embd_k, 0));
    const size_t v = w.values_in_keys ? 0 : kv_row_bytes(type, std::max<int64_t>(w.n_embd_v, 0));
    return (k + v) * static_cast<size_t>(std::max(n_layer, 0));
}

KvCache::KvCache(int32_t n_layer, int32_t n_ctx, const KvWidths &w, GgmlType type)
    : n_layer_(n_layer), n_ctx_(n_ctx), widths_(w), type_(type), k_row_bytes_(0), v_row_bytes_(0) {
    check_type(type, w);
    if (w.values_in_keys && w.n_embd_v > w.n_embd_k) {
        fail(LM_ERR_INTERNAL, "KV cache: values inside keys need V rows (" + std::to_string(w.n_embd_v) +
                                  ") no wider than K rows (" + std::to_string(w.n_embd_k) + ")");
    }
    k_row_bytes_ = kv_row_bytes(type, w.n_embd_k < 0 ? 0 : w.n_embd_k);
    v_row_bytes_ = w.values_in_keys ? 0 : kv_row_bytes(type, w.n_embd_v < 0 ? 0 : w.n_embd_v);
    size_t n = 0, nk = 0, nv = 0;
    if (n_layer < 0 || n_ctx < 0 || w.n_embd_k < 0 || w.n_embd_v < 0 ||
        __builtin_mul_overflow(static_cast<size_t>(n_layer), static_cast<size_t>(n_ctx), &n) ||
        __builtin_mul_overflow(n, k_row_bytes_, &nk) || __builtin_mul_overflow(n, v_row_bytes_, &nv) ||
        nk > SIZE_MAX / 4 || nv > SIZE_MAX / 4) {
        fail(LM_ERR_OUT_OF_MEMORY, "cannot allocate the KV cache: " + std::to_string(n_layer) + " layers x " +
                                       std::to_string(n_ctx) + " positions x " +
                                       std::to_string(std::max(w.n_embd_k, w.n_embd_v)) +
                                       " values overflows the address space; use a smaller context");
    }
    k_.reset(static_cast<uint8_t *>(std::calloc(nk == 0 ? 1 : nk, 1)));
    if (k_) v_.reset(static_cast<uint8_t *>(std::calloc(nv == 0 ? 1 : nv, 1)));
    if (!k_ || !v_) {
        fail(LM_ERR_OUT_OF_MEMORY, "cannot allocate the KV cache: " + std::to_string((nk + nv) >> 20) + " MiB (" +
                                       kv_type_name(type) + ") for a context of " + std::to_string(n_ctx) +
                                       " tokens; use a smaller context or kv_type q8_0");
    }
}

void KvCache::store(uint8_t *dst, const float *row, int32_t n) const {
    switch (type_) {
        case GgmlType::F32: std::memcpy(dst, row, static_cast<size_t>(n) * sizeof(float)); break;
        case GgmlType::F16:
            for (int32_t i = 0; i < n; ++i) {
                const uint16_t h = fp32_to_fp16(row[i]);
                std::memcpy(dst + 2 * static_cast<size_t>(i), &h, 2);
            }
            break;
        case GgmlType::Q8_0: quant::quantize_row_q8_0_ref(row, reinterpret_cast<quant::BlockQ8_0 *>(dst), n); break;
        default: break;
    }
}

}  // namespace lamina
