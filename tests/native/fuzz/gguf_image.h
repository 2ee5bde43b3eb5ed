// An editable picture of a GGUF file for the structure-aware fuzzer (mutation_program.h): every
// header field, metadata entry and tensor info as plain values, so an edit can set any of them
// to anything, including what a well-formed file never holds (lying counts, a key of the wrong
// type, an array length past the end, a tensor offset outside the data). GgufWriter cannot
// write such files on purpose; this writes whatever it is given.
//
// Built from a well-formed file by the project's reader (tensors) and the byte layout of
// tests/native/gguf_layout.h (each entry's payload in the file's own encoding), so no third
// GGUF parser exists.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf_layout.h"

namespace lamina::fuzz {

// GGUF value type ids (the numbering of GgufValueType; raw here because edits write ids a
// well-formed file never has).
namespace gguf_type {
constexpr uint32_t kUint8 = 0, kInt8 = 1, kUint16 = 2, kInt16 = 3, kUint32 = 4, kInt32 = 5, kFloat32 = 6,
                   kBool = 7, kString = 8, kArray = 9, kUint64 = 10, kInt64 = 11, kFloat64 = 12;
constexpr uint32_t kCount = 13;
// Bytes of one scalar of `type`; 0 for strings, arrays and unknown ids.
inline size_t scalar_size(uint32_t type) {
    switch (type) {
        case kUint8: case kInt8: case kBool: return 1;
        case kUint16: case kInt16: return 2;
        case kUint32: case kInt32: case kFloat32: return 4;
        case kUint64: case kInt64: case kFloat64: return 8;
        default: return 0;
    }
}
}  // namespace gguf_type

struct GgufImage {
    struct Kv {
        std::string key;
        uint32_t type = 0;
        std::vector<uint8_t> payload;  // the bytes after the type id, as in the file
    };
    struct Tensor {
        std::string name;
        uint32_t n_dims = 0;         // written as is; ne holds the sizes actually written
        std::vector<uint64_t> ne;
        uint32_t type = 0;
        std::vector<uint8_t> bytes;  // the tensor's data
        // Where the data is said to be: by default where serialize() places `bytes`; an edit
        // may move the claim (offset_delta) or replace it (offset_override) without moving data.
        int64_t offset_delta = 0;
        std::optional<uint64_t> offset_override;
    };

    uint32_t magic = 0x46554747;  // "GGUF"
    uint32_t version = 3;
    int64_t n_kv_delta = 0;       // added to the real counts in the header (a lying header)
    int64_t n_tensors_delta = 0;
    std::vector<Kv> kvs;
    std::vector<Tensor> tensors;

    static GgufImage from_file_bytes(const std::vector<uint8_t> &file) {
        const testing::GgufLayout layout = testing::gguf_layout(file);
        GgufImage img;
        std::memcpy(&img.version, file.data() + 4, 4);
        for (const testing::GgufLayout::Kv &k : layout.kvs) {
            Kv kv{k.key, k.type, std::vector<uint8_t>(file.begin() + k.value_at, file.begin() + k.end)};
            img.kvs.push_back(std::move(kv));
        }
        // Tensor infos and data through the project's reader, which knows each type's size.
        const auto parsed = GgufFile::parse(file.data(), file.size(), "fuzz base");
        for (const GgufTensorInfo &t : parsed->tensors()) {
            Tensor out;
            out.name = std::string(t.name);
            out.n_dims = t.n_dims;
            out.ne.assign(t.ne, t.ne + t.n_dims);
            out.type = static_cast<uint32_t>(t.type);
            out.bytes.assign(t.data, t.data + t.n_bytes);
            img.tensors.push_back(std::move(out));
        }
        return img;
    }

    Kv *find(const std::string &key) {
        for (Kv &kv : kvs) if (kv.key == key) return &kv;
        return nullptr;
    }

    // The alignment the data section is laid out with: general.alignment when it is a u32 the
    // reader could accept, else the default. Writing with an unusable value would only make
    // every later offset wrong at once; the reader's check of the value itself still runs.
    size_t layout_alignment() const {
        for (const Kv &kv : kvs) {
            if (kv.key != "general.alignment" || kv.type != gguf_type::kUint32 || kv.payload.size() != 4) continue;
            uint32_t a;
            std::memcpy(&a, kv.payload.data(), 4);
            if (a != 0 && (a & (a - 1)) == 0 && a <= 4096) return a;
        }
        return 32;
    }

    std::vector<uint8_t> serialize() const {
        std::vector<uint8_t> out;
        auto put = [&out](const void *p, size_t n) {
            const auto *b = static_cast<const uint8_t *>(p);
            out.insert(out.end(), b, b + n);
        };
        auto put_u32 = [&put](uint32_t v) { put(&v, 4); };
        auto put_u64 = [&put](uint64_t v) { put(&v, 8); };
        auto put_str = [&](const std::string &s) {
            put_u64(s.size());
            put(s.data(), s.size());
        };
        put_u32(magic);
        put_u32(version);
        put_u64(static_cast<uint64_t>(static_cast<int64_t>(tensors.size()) + n_tensors_delta));
        put_u64(static_cast<uint64_t>(static_cast<int64_t>(kvs.size()) + n_kv_delta));
        for (const Kv &kv : kvs) {
            put_str(kv.key);
            put_u32(kv.type);
            put(kv.payload.data(), kv.payload.size());
        }
        const size_t alignment = layout_alignment();
        std::vector<uint64_t> placed;
        uint64_t at = 0;
        for (const Tensor &t : tensors) {
            placed.push_back(at);
            at = (at + t.bytes.size() + alignment - 1) / alignment * alignment;
        }
        for (size_t i = 0; i < tensors.size(); ++i) {
            const Tensor &t = tensors[i];
            put_str(t.name);
            put_u32(t.n_dims);
            for (uint64_t d : t.ne) put_u64(d);
            put_u32(t.type);
            put_u64(t.offset_override ? *t.offset_override : placed[i] + static_cast<uint64_t>(t.offset_delta));
        }
        out.resize((out.size() + alignment - 1) / alignment * alignment, 0);
        const size_t data_start = out.size();
        for (size_t i = 0; i < tensors.size(); ++i) {
            out.resize(data_start + placed[i], 0);
            put(tensors[i].bytes.data(), tensors[i].bytes.size());
        }
        return out;
    }
};

}  // namespace lamina::fuzz
