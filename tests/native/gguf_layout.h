// Byte offsets of every field of a well-formed GGUF file, so tests can cut or corrupt a file
// exactly at a section boundary or inside one field.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace lamina::testing {

struct GgufLayout {
    struct Kv {
        std::string key;
        size_t start = 0;     // the key's length field
        size_t type_at = 0;   // u32 value type
        size_t value_at = 0;  // the value (for arrays: the element type)
        size_t end = 0;
        uint32_t type = 0;
        uint32_t elem_type = 0;  // arrays only
    };
    struct Tensor {
        std::string name;
        size_t start = 0;    // the name's length field
        size_t dims_at = 0;  // u32 n_dims
        size_t ne_at = 0;    // first u64 size
        size_t type_at = 0;
        size_t offset_at = 0;
        size_t end = 0;
        uint32_t n_dims = 0;
    };
    std::vector<Kv> kvs;
    std::vector<Tensor> tensors;
    size_t infos_end = 0;   // end of the last tensor info
    size_t data_start = 0;  // aligned start of the tensor data

    const Kv *kv(const std::string &key) const {
        for (const Kv &k : kvs) if (k.key == key) return &k;
        return nullptr;
    }
    const Kv *first_of_type(uint32_t type) const {
        for (const Kv &k : kvs) if (k.type == type) return &k;
        return nullptr;
    }
    const Tensor *tensor(const std::string &name) const {
        for (const Tensor &t : tensors) if (t.name == name) return &t;
        return nullptr;
    }
};

// Walks a well-formed file (alignment 32 unless general.alignment says otherwise).
inline GgufLayout gguf_layout(const std::vector<uint8_t> &b) {
    auto u32 = [&](size_t at) { uint32_t v; std::memcpy(&v, b.data() + at, 4); return v; };
    auto u64 = [&](size_t at) { uint64_t v; std::memcpy(&v, b.data() + at, 8); return v; };
    auto scalar_size = [](uint32_t t) -> size_t {
        switch (t) {
            case 0: case 1: case 7: return 1;
            case 2: case 3: return 2;
            case 4: case 5: case 6: return 4;
            default: return 8;
        }
    };
    GgufLayout l;
    const uint64_t n_tensors = u64(8), n_kv = u64(16);
    size_t p = 24;
    uint64_t alignment = 32;
    for (uint64_t i = 0; i < n_kv; ++i) {
        GgufLayout::Kv k;
        k.start = p;
        const uint64_t len = u64(p);
        k.key.assign(reinterpret_cast<const char *>(b.data() + p + 8), len);
        p += 8 + len;
        k.type_at = p;
        k.type = u32(p);
        p += 4;
        k.value_at = p;
        if (k.type == 8) {
            p += 8 + u64(p);
        } else if (k.type == 9) {
            k.elem_type = u32(p);
            const uint64_t count = u64(p + 4);
            p += 12;
            if (k.elem_type == 8) {
                for (uint64_t e = 0; e < count; ++e) p += 8 + u64(p);
            } else {
                p += count * scalar_size(k.elem_type);
            }
        } else {
            if (k.key == "general.alignment") alignment = u32(p);
            p += scalar_size(k.type);
        }
        k.end = p;
        l.kvs.push_back(k);
    }
    for (uint64_t i = 0; i < n_tensors; ++i) {
        GgufLayout::Tensor t;
        t.start = p;
        const uint64_t len = u64(p);
        t.name.assign(reinterpret_cast<const char *>(b.data() + p + 8), len);
        p += 8 + len;
        t.dims_at = p;
        t.n_dims = u32(p);
        p += 4;
        t.ne_at = p;
        p += 8 * t.n_dims;
        t.type_at = p;
        p += 4;
        t.offset_at = p;
        p += 8;
        t.end = p;
        l.tensors.push_back(t);
    }
    l.infos_end = p;
    l.data_start = (p + alignment - 1) / alignment * alignment;
    return l;
}

}  // namespace lamina::testing
