// The structure-aware fuzzer's input: a tiny program of edits applied to one of the shared
// models (structure_target.h runs it). Any byte string after the magic is a valid program, so
// libFuzzer's own byte mutations and the custom mutator of fuzz_structure.cpp both produce
// meaningful edits almost every time, and inputs stay a few dozen bytes (the model is named by
// index, never embedded).
//
//     [ "LMSF" | base (1 byte) | text (1 byte) | edit 0 | edit 1 | ... ]    edit = op, a, b, c
//
// base picks a structure_target.h base model (mod their count), text a tokenizer input. Each
// byte of an edit is taken modulo what it indexes: `op` an EditOp, `a` usually the metadata
// entry or tensor it changes, `b` a variant, `c` the new value from a table of boundary values
// (0, ±1, type max/min, NaN, ±inf, denormal, 2^31, 2^32, 2^63, original ± 1, ...). Edits run in
// order on a GgufImage, so later edits see earlier ones (a renamed key, a dropped tensor).
#pragma once

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/gguf_image.h"

namespace lamina::fuzz {

constexpr char kStructureMagic[4] = {'L', 'M', 'S', 'F'};
constexpr size_t kStructureHeader = 6;  // magic, base, text
constexpr size_t kMaxEdits = 32;       // edits past this are ignored

// Whether `data` is a structure-mode input (the replay test dispatches on this).
inline bool is_structure_input(const uint8_t *data, size_t size) {
    return size >= kStructureHeader && std::memcmp(data, kStructureMagic, 4) == 0;
}

enum class EditOp : uint8_t {
    SetValue,         // entry a: a boundary value, of its own type or (b >= 192) of type b % 13
    SetKnownKey,      // key kKnownKeys[a] (added if absent), likewise
    SetString,        // the a-th string entry: kStrings[c]
    ArrayLength,      // the a-th array: count from c; b odd: the elements follow, else only the count lies
    ArrayElemType,    // the a-th array: element type c % 14; b odd: zeroed elements of that type
    ArrayElement,     // the a-th array: element b (scaled to the count) = boundary/string c
    RemoveKey,        // entry a
    DuplicateKey,     // entry a, appended again
    RenameKey,        // entry a renamed (another entry's key, a known key, empty, invalid, ...)
    TensorDim,        // tensor a, size b: kDims[c]
    TensorNDims,      // tensor a: c % 6 sizes, or a lying n_dims field
    TensorType,       // tensor a: type id kTensorTypes[c]
    TensorOffset,     // tensor a: its offset moved or replaced (data stays put)
    TensorName,       // tensor a renamed
    DropTensor,       // tensor a
    DuplicateTensor,  // tensor a, appended again (b odd: right after itself)
    Alignment,        // general.alignment = kAlignments[c] (b odd: stored as i32, b % 4 == 2: u64)
    Architecture,     // general.architecture = kArchitectures[c] (b odd: arch keys renamed along)
    BlockCount,       // {arch}.block_count = kBlockCounts[c] (b odd: blk.N tensors added/dropped to match)
    Header,           // version, lying counts or magic
    kCount
};

struct Edit {
    uint8_t op = 0, a = 0, b = 0, c = 0;
};

struct MutationProgram {
    uint8_t base = 0;
    uint8_t text = 0;
    std::vector<Edit> edits;

    // nullopt when the input is not a structure-mode program.
    static std::optional<MutationProgram> decode(const uint8_t *data, size_t size) {
        if (!is_structure_input(data, size)) return std::nullopt;
        MutationProgram p;
        p.base = data[4];
        p.text = data[5];
        for (size_t at = kStructureHeader; at + 4 <= size && p.edits.size() < kMaxEdits; at += 4) {
            p.edits.push_back({data[at], data[at + 1], data[at + 2], data[at + 3]});
        }
        return p;
    }

    std::vector<uint8_t> encode() const {
        std::vector<uint8_t> out(kStructureMagic, kStructureMagic + 4);
        out.push_back(base);
        out.push_back(text);
        for (const Edit &e : edits) out.insert(out.end(), {e.op, e.a, e.b, e.c});
        return out;
    }
};

namespace program_detail {

using namespace gguf_type;

template <typename T>
const T &pick(const std::vector<T> &table, uint32_t index) {
    return table[index % table.size()];
}

inline void put_le(std::vector<uint8_t> &out, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

inline std::vector<uint8_t> string_payload(std::string_view s) {
    std::vector<uint8_t> out;
    put_le(out, s.size(), 8);
    out.insert(out.end(), s.begin(), s.end());
    return out;
}

// Decodes one scalar of `type` (a numeric id) as a double; 0 when the bytes are short.
inline double scalar_value(uint32_t type, const uint8_t *p, size_t avail) {
    const size_t n = scalar_size(type);
    if (n == 0 || avail < n) return 0;
    uint64_t u = 0;
    std::memcpy(&u, p, n);
    switch (type) {
        case kInt8: return static_cast<int8_t>(u);
        case kInt16: return static_cast<int16_t>(u);
        case kInt32: return static_cast<int32_t>(u);
        case kInt64: return static_cast<double>(static_cast<int64_t>(u));
        case kFloat32: { float f; std::memcpy(&f, p, 4); return f; }
        case kFloat64: { double d; std::memcpy(&d, p, 8); return d; }
        default: return static_cast<double>(u);
    }
}

enum class Relative { None, TypeMax, TypeMin, PlusOne, MinusOne, Twice, Half, Thousandfold };
struct BoundaryValue {
    double v;
    Relative rel = Relative::None;
};
inline const std::vector<BoundaryValue> &boundary_values() {
    static const std::vector<BoundaryValue> table = {
        {0}, {1}, {-1}, {2}, {3}, {0, Relative::TypeMax}, {0, Relative::TypeMin},
        {std::numeric_limits<double>::quiet_NaN()}, {INFINITY}, {-INFINITY},
        {std::numeric_limits<float>::denorm_min()}, {2147483648.0}, {4294967296.0}, {9223372036854775808.0},
        {-2147483648.0}, {1e30}, {0.5}, {-0.0}, {1e-30}, {65536}, {255}, {0, Relative::PlusOne},
        {0, Relative::MinusOne}, {0, Relative::Twice}, {0, Relative::Half}, {0, Relative::Thousandfold},
    };
    return table;
}

// Bytes of a scalar of numeric `type` for boundary choice `c`; `original` is the value the
// relative choices start from. Integers wrap like a C cast from int64 (so -1 in a u32 is
// 0xFFFFFFFF); a non-finite value in an integer becomes its type's max or min.
inline std::vector<uint8_t> boundary_scalar(uint32_t type, uint8_t c, double original) {
    const BoundaryValue b = pick(boundary_values(), c);
    const size_t n = scalar_size(type);
    const bool is_float = type == kFloat32 || type == kFloat64;
    const bool is_signed = type == kInt8 || type == kInt16 || type == kInt32 || type == kInt64;
    double v = b.v;
    switch (b.rel) {
        case Relative::PlusOne: v = original + 1; break;
        case Relative::MinusOne: v = original - 1; break;
        case Relative::Twice: v = original * 2; break;
        case Relative::Half: v = original / 2; break;
        case Relative::Thousandfold: v = original * 1000; break;
        default: break;
    }
    std::vector<uint8_t> out;
    if (is_float) {
        const double max = type == kFloat32 ? FLT_MAX : DBL_MAX;
        if (b.rel == Relative::TypeMax) v = max;
        if (b.rel == Relative::TypeMin) v = -max;
        if (type == kFloat32) {
            const float f = static_cast<float>(v);
            uint32_t bits;
            std::memcpy(&bits, &f, 4);
            put_le(out, bits, 4);
        } else {
            uint64_t bits;
            std::memcpy(&bits, &v, 8);
            put_le(out, bits, 8);
        }
        return out;
    }
    uint64_t bits;
    const unsigned width = static_cast<unsigned>(8 * n);
    const uint64_t umax = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    if (b.rel == Relative::TypeMax || (std::isnan(v)) || v == INFINITY) {
        bits = is_signed ? umax >> 1 : umax;
    } else if (b.rel == Relative::TypeMin || v == -INFINITY) {
        bits = is_signed ? (umax >> 1) + 1 : 0;
    } else if (v >= 9223372036854775807.0 || v <= -9223372036854775808.0) {
        bits = uint64_t{1} << 63;  // 2^63 unsigned, INT64_MIN signed: both worth a try
    } else {
        bits = static_cast<uint64_t>(static_cast<int64_t>(v));
    }
    put_le(out, bits, n);
    return out;
}

inline const std::vector<std::string> &strings() {
    static const std::vector<std::string> table = {
        "", "\xff\xfe", "\xc3", "a\0b", std::string(4096, 'x'), "llama", "qwen2", "gpt2", "spm", "bpe",
        "llama-bpe", "llama3", "none", "linear", "yarn", "\xed\xa0\x80", std::string(1, '\0'), "<s>",
        "\xf4\x90\x80\x80", " ", "0",
    };
    return table;
}

// A string payload for choice c; a few choices claim a length the bytes do not have.
inline std::vector<uint8_t> string_choice(uint8_t c) {
    const size_t n = strings().size();
    if (c % (n + 3) >= n) {
        static const uint64_t lies[] = {~uint64_t{0}, uint64_t{1} << 40, 5};
        std::vector<uint8_t> out;
        put_le(out, lies[c % (n + 3) - n], 8);
        out.insert(out.end(), {'a', 'b'});
        return out;
    }
    return string_payload(pick(strings(), c));
}

// A known key: what the loader and tokenizer read, so edits reach their validation.
struct KnownKey {
    const char *name;  // a leading '.' means "{architecture}" + name
    uint32_t type;
};
inline const std::vector<KnownKey> &known_keys() {
    static const std::vector<KnownKey> table = {
        {".context_length", kUint32}, {".embedding_length", kUint32}, {".block_count", kUint32},
        {".feed_forward_length", kUint32}, {".attention.head_count", kUint32},
        {".attention.head_count_kv", kUint32}, {".attention.key_length", kUint32},
        {".attention.value_length", kUint32}, {".rope.dimension_count", kUint32}, {".rope.freq_base", kFloat32},
        {".rope.scaling.factor", kFloat32}, {".rope.scaling.type", kString},
        {".attention.layer_norm_rms_epsilon", kFloat32}, {".expert_count", kUint32},
        {".expert_used_count", kUint32}, {".vocab_size", kUint32}, {"general.alignment", kUint32},
        {"general.architecture", kString}, {"general.file_type", kUint32}, {"general.name", kString},
        {"tokenizer.ggml.model", kString}, {"tokenizer.ggml.pre", kString},
        {"tokenizer.ggml.bos_token_id", kUint32}, {"tokenizer.ggml.eos_token_id", kUint32},
        {"tokenizer.ggml.eot_token_id", kUint32}, {"tokenizer.ggml.eom_token_id", kUint32},
        {"tokenizer.ggml.unknown_token_id", kUint32}, {"tokenizer.ggml.padding_token_id", kUint32},
        {"tokenizer.ggml.fim_pre_token_id", kUint32}, {"tokenizer.ggml.add_bos_token", kBool},
        {"tokenizer.ggml.add_space_prefix", kBool}, {"tokenizer.ggml.tokens", kArray},
        {"tokenizer.ggml.scores", kArray}, {"tokenizer.ggml.token_type", kArray},
        {"tokenizer.ggml.merges", kArray},
    };
    return table;
}

inline std::string architecture(const GgufImage &img) {
    for (const GgufImage::Kv &kv : img.kvs) {
        if (kv.key == "general.architecture" && kv.type == kString && kv.payload.size() >= 8) {
            uint64_t n;
            std::memcpy(&n, kv.payload.data(), 8);
            if (n <= kv.payload.size() - 8) return std::string(kv.payload.begin() + 8, kv.payload.begin() + 8 + n);
        }
    }
    return "llama";
}

inline std::string known_key_name(const GgufImage &img, uint8_t a) {
    const KnownKey &k = pick(known_keys(), a);
    return k.name[0] == '.' ? architecture(img) + k.name : std::string(k.name);
}

// An array payload split into its parts; nullopt when an earlier edit left it inconsistent.
struct ArrayParts {
    uint32_t elem_type = 0;
    std::vector<std::vector<uint8_t>> elems;  // each element's bytes (strings with their length)
};
inline std::optional<ArrayParts> split_array(const std::vector<uint8_t> &payload) {
    if (payload.size() < 12) return std::nullopt;
    ArrayParts parts;
    uint64_t count;
    std::memcpy(&parts.elem_type, payload.data(), 4);
    std::memcpy(&count, payload.data() + 4, 8);
    size_t at = 12;
    const size_t fixed = scalar_size(parts.elem_type);
    if (fixed == 0 && parts.elem_type != kString) return std::nullopt;
    if (count > payload.size()) return std::nullopt;
    for (uint64_t i = 0; i < count; ++i) {
        size_t n = fixed;
        if (parts.elem_type == kString) {
            if (payload.size() - at < 8) return std::nullopt;
            uint64_t len;
            std::memcpy(&len, payload.data() + at, 8);
            if (len > payload.size() - at - 8) return std::nullopt;
            n = 8 + static_cast<size_t>(len);
        }
        if (payload.size() - at < n) return std::nullopt;
        parts.elems.emplace_back(payload.begin() + at, payload.begin() + at + n);
        at += n;
    }
    return parts;
}
inline std::vector<uint8_t> join_array(uint32_t elem_type, uint64_t count_field,
                                       const std::vector<std::vector<uint8_t>> &elems) {
    std::vector<uint8_t> out;
    put_le(out, elem_type, 4);
    put_le(out, count_field, 8);
    for (const auto &e : elems) out.insert(out.end(), e.begin(), e.end());
    return out;
}

// The value of a given type for choice c (arrays: c zeroed elements of type c % 13).
inline std::vector<uint8_t> value_of_type(uint32_t type, uint8_t c, const GgufImage::Kv *original) {
    if (type == kString) return string_choice(c);
    if (type == kArray) {
        const uint32_t elem = c % kCount == kArray ? kUint8 : c % kCount;
        std::vector<std::vector<uint8_t>> elems(c, elem == kString ? string_payload("a") : std::vector<uint8_t>(scalar_size(elem), 0));
        return join_array(elem, c, elems);
    }
    const double orig = original != nullptr ? scalar_value(original->type, original->payload.data(), original->payload.size()) : 1;
    return boundary_scalar(type, c, orig);
}

// b >= 192 changes the type (to b % 13); otherwise the natural one is kept.
inline uint32_t chosen_type(uint32_t natural, uint8_t b) { return b >= 192 ? b % kCount : natural; }

inline void set_key(GgufImage &img, const std::string &key, uint32_t type, std::vector<uint8_t> payload) {
    if (GgufImage::Kv *kv = img.find(key)) {
        kv->type = type;
        kv->payload = std::move(payload);
    } else {
        img.kvs.push_back({key, type, std::move(payload)});
    }
}

// The a-th entry of `type` (any type when type == kCount); nullptr when there is none.
inline GgufImage::Kv *nth_entry(GgufImage &img, uint8_t a, uint32_t type = kCount) {
    std::vector<GgufImage::Kv *> match;
    for (GgufImage::Kv &kv : img.kvs) if (type == kCount || kv.type == type) match.push_back(&kv);
    return match.empty() ? nullptr : match[a % match.size()];
}

inline GgufImage::Tensor *nth_tensor(GgufImage &img, uint8_t a) {
    return img.tensors.empty() ? nullptr : &img.tensors[a % img.tensors.size()];
}

inline const std::vector<uint64_t> &dims() {
    static const std::vector<uint64_t> table = {
        0, 1, 2, 3, 7, 8, 16, 32, 256, 65536, uint64_t{1} << 31, uint64_t{1} << 32, uint64_t{1} << 62,
        uint64_t{1} << 63, ~uint64_t{0}, ~uint64_t{0} - 1,
    };
    return table;
}

// ggml type ids: every known one plus removed (4, 5) and never assigned ids.
inline const std::vector<uint32_t> &tensor_types() {
    static const std::vector<uint32_t> table = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                                                19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 33, 34, 35,
                                                36, 39, 255, 0x80000000u, 0xffffffffu};
    return table;
}

// Layer index of a "blk.N." tensor name, or -1.
inline long layer_of(const std::string &name) {
    if (name.rfind("blk.", 0) != 0) return -1;
    const size_t dot = name.find('.', 4);
    if (dot == std::string::npos || dot == 4) return -1;
    long n = 0;
    for (size_t i = 4; i < dot; ++i) {
        if (name[i] < '0' || name[i] > '9' || n > 1000000) return -1;
        n = n * 10 + (name[i] - '0');
    }
    return n;
}
inline std::string with_layer(const std::string &name, const std::string &layer) {
    const size_t dot = name.find('.', 4);
    return "blk." + layer + name.substr(dot);
}

inline std::string new_name(const std::string &old, uint8_t c, const std::vector<std::string> &others,
                            const std::string &arch) {
    switch (c % 10) {
        case 0: return others.empty() ? old : others[(c / 10) % others.size()];  // a duplicate
        case 1: return "";
        case 2: return old + "\xff";
        case 3: return old + ".x";
        case 4: return old.substr(0, old.size() / 2);
        case 5: return std::string(200 + c, 'k');
        case 6: return layer_of(old) >= 0 ? with_layer(old, std::to_string(c)) : "blk." + std::to_string(c) + "." + old;
        case 7: return layer_of(old) >= 0 ? with_layer(old, c & 1 ? "-1" : "4294967296") : old;
        case 8: return old.rfind(arch + ".", 0) == 0 ? (arch == "llama" ? "qwen2" : "llama") + old.substr(arch.size()) : arch + "." + old;
        default: {
            std::string s = old;
            if (!s.empty()) s[c % s.size()] ^= 0x20;  // case flip or a nearby punctuation mark
            return s;
        }
    }
}

inline void rename_arch_keys(GgufImage &img, const std::string &from, const std::string &to) {
    for (GgufImage::Kv &kv : img.kvs) {
        if (kv.key.rfind(from + ".", 0) == 0) kv.key = to + kv.key.substr(from.size());
    }
}

// Adds copies of the last layer's tensors (or drops layers) so the file has `n` layers.
inline void match_layers(GgufImage &img, uint64_t n) {
    long last = -1;
    for (const GgufImage::Tensor &t : img.tensors) last = std::max(last, layer_of(t.name));
    std::vector<GgufImage::Tensor> kept, template_layer;
    for (const GgufImage::Tensor &t : img.tensors) {
        const long l = layer_of(t.name);
        if (l == last && l >= 0) template_layer.push_back(t);
        if (l < 0 || static_cast<uint64_t>(l) < n) kept.push_back(t);
    }
    for (uint64_t l = static_cast<uint64_t>(last + 1); l < std::min<uint64_t>(n, 16); ++l) {
        for (GgufImage::Tensor t : template_layer) {
            t.name = with_layer(t.name, std::to_string(l));
            kept.push_back(std::move(t));
        }
    }
    img.tensors = std::move(kept);
}

}  // namespace program_detail

// Applies one edit. Edits that find nothing to change (no arrays, no tensors) do nothing.
inline void apply_edit(GgufImage &img, const Edit &e) {
    using namespace program_detail;
    const auto op = static_cast<EditOp>(e.op % static_cast<uint8_t>(EditOp::kCount));
    switch (op) {
        case EditOp::SetValue: {
            GgufImage::Kv *kv = nth_entry(img, e.a);
            if (kv == nullptr) return;
            const uint32_t type = chosen_type(kv->type, e.b);
            if (type == kArray && kv->type == kArray) {
                apply_edit(img, {static_cast<uint8_t>(EditOp::ArrayElement), e.a, e.b, e.c});
                return;
            }
            std::vector<uint8_t> payload = value_of_type(type, e.c, kv);
            kv->type = type;
            kv->payload = std::move(payload);
            return;
        }
        case EditOp::SetKnownKey: {
            const std::string key = known_key_name(img, e.a);
            const uint32_t type = chosen_type(pick(known_keys(), e.a).type, e.b);
            set_key(img, key, type, value_of_type(type, e.c, img.find(key)));
            return;
        }
        case EditOp::SetString: {
            if (GgufImage::Kv *kv = nth_entry(img, e.a, kString)) kv->payload = string_choice(e.c);
            return;
        }
        case EditOp::ArrayLength: {
            GgufImage::Kv *kv = nth_entry(img, e.a, kArray);
            if (kv == nullptr) return;
            std::optional<ArrayParts> parts = split_array(kv->payload);
            if (!parts) return;
            const uint64_t n = parts->elems.size();
            const uint64_t counts[] = {0, 1, n - 1, n + 1, n * 2, n / 2, uint64_t{1} << 31, uint64_t{1} << 32,
                                       uint64_t{1} << 62, ~uint64_t{0}};
            const uint64_t count = counts[e.c % 10];
            if (e.b & 1 && count <= 2 * n + 1) {
                std::vector<std::vector<uint8_t>> elems = parts->elems;
                const std::vector<uint8_t> filler = elems.empty() ? std::vector<uint8_t>(scalar_size(parts->elem_type), 0) : elems.back();
                elems.resize(count, filler);
                kv->payload = join_array(parts->elem_type, count, elems);
            } else {
                kv->payload = join_array(parts->elem_type, count, parts->elems);
            }
            return;
        }
        case EditOp::ArrayElemType: {
            GgufImage::Kv *kv = nth_entry(img, e.a, kArray);
            if (kv == nullptr) return;
            std::optional<ArrayParts> parts = split_array(kv->payload);
            if (!parts) return;
            const uint32_t elem = e.c % (kCount + 1);  // kCount itself: an unknown id
            if (e.b & 1) {
                const std::vector<uint8_t> zero = elem == kString ? string_payload("") : std::vector<uint8_t>(scalar_size(elem), 0);
                kv->payload = join_array(elem, parts->elems.size(), std::vector<std::vector<uint8_t>>(parts->elems.size(), zero));
            } else {
                kv->payload = join_array(elem, parts->elems.size(), parts->elems);
            }
            return;
        }
        case EditOp::ArrayElement: {
            GgufImage::Kv *kv = nth_entry(img, e.a, kArray);
            if (kv == nullptr) return;
            std::optional<ArrayParts> parts = split_array(kv->payload);
            if (!parts || parts->elems.empty()) return;
            std::vector<uint8_t> &elem = parts->elems[static_cast<size_t>(e.b) * parts->elems.size() / 256];
            if (parts->elem_type == kString) {
                elem = string_choice(e.c);
            } else {
                elem = boundary_scalar(parts->elem_type, e.c, scalar_value(parts->elem_type, elem.data(), elem.size()));
            }
            kv->payload = join_array(parts->elem_type, parts->elems.size(), parts->elems);
            return;
        }
        case EditOp::RemoveKey:
            if (!img.kvs.empty()) img.kvs.erase(img.kvs.begin() + e.a % img.kvs.size());
            return;
        case EditOp::DuplicateKey:
            if (!img.kvs.empty()) img.kvs.push_back(img.kvs[e.a % img.kvs.size()]);
            return;
        case EditOp::RenameKey: {
            GgufImage::Kv *kv = nth_entry(img, e.a);
            if (kv == nullptr) return;
            std::vector<std::string> others;
            for (const GgufImage::Kv &o : img.kvs) others.push_back(o.key);
            kv->key = e.b & 1 ? known_key_name(img, e.c) : new_name(kv->key, e.c, others, architecture(img));
            return;
        }
        case EditOp::TensorDim: {
            GgufImage::Tensor *t = nth_tensor(img, e.a);
            if (t == nullptr || t->ne.empty()) return;
            uint64_t &d = t->ne[e.b % t->ne.size()];
            switch (e.c % 4) {
                case 0: d = pick(dims(), e.c / 4); break;
                case 1: d = e.c & 4 ? d + 1 : d - 1; break;
                case 2: d = e.c & 4 ? d * 2 : d / 2; break;
                default:  // swapped with another size: same element count, another shape
                    std::swap(d, t->ne[(e.b + 1) % t->ne.size()]);
            }
            return;
        }
        case EditOp::TensorNDims: {
            GgufImage::Tensor *t = nth_tensor(img, e.a);
            if (t == nullptr) return;
            if (e.c % 8 < 6) {
                // A count it already has would be no edit: one more instead.
                const size_t n = e.c % 8 == t->ne.size() ? t->ne.size() + 1 : e.c % 8;
                t->ne.resize(n, 1);
                t->n_dims = static_cast<uint32_t>(t->ne.size());
            } else {
                t->n_dims = e.c % 8 == 6 ? t->n_dims + 1 : 0xffffffffu;  // the field lies
            }
            return;
        }
        case EditOp::TensorType:
            if (GgufImage::Tensor *t = nth_tensor(img, e.a)) {
                const uint32_t type = pick(tensor_types(), e.c);
                t->type = type != t->type ? type : pick(tensor_types(), e.c + 1u);
            }
            return;
        case EditOp::TensorOffset: {
            GgufImage::Tensor *t = nth_tensor(img, e.a);
            if (t == nullptr) return;
            const int64_t align = static_cast<int64_t>(img.layout_alignment());
            const int64_t size = static_cast<int64_t>(t->bytes.size());
            const int64_t deltas[] = {1, -1, align, -align, size, -size, size / 2, 4096};
            const uint64_t overrides[] = {0, uint64_t{1} << 32, uint64_t{1} << 63, ~uint64_t{0} - 31};
            if (e.c % 12 < 8) {
                t->offset_delta += deltas[e.c % 12];
            } else {
                t->offset_override = overrides[e.c % 12 - 8];
            }
            return;
        }
        case EditOp::TensorName: {
            GgufImage::Tensor *t = nth_tensor(img, e.a);
            if (t == nullptr) return;
            std::vector<std::string> others;
            for (const GgufImage::Tensor &o : img.tensors) others.push_back(o.name);
            t->name = new_name(t->name, e.c, others, architecture(img));
            return;
        }
        case EditOp::DropTensor:
            if (!img.tensors.empty()) img.tensors.erase(img.tensors.begin() + e.a % img.tensors.size());
            return;
        case EditOp::DuplicateTensor: {
            if (img.tensors.empty()) return;
            const size_t i = e.a % img.tensors.size();
            const GgufImage::Tensor copy = img.tensors[i];
            img.tensors.insert(e.b & 1 ? img.tensors.begin() + i + 1 : img.tensors.end(), copy);
            return;
        }
        case EditOp::Alignment: {
            static const std::vector<uint64_t> alignments = {0, 1, 2, 3, 4, 8, 16, 31, 32, 64, 128, 256, 4096, 8192,
                                                             uint64_t{1} << 31, 0xffffffffu};
            const uint64_t a = pick(alignments, e.c);
            std::vector<uint8_t> payload;
            const uint32_t type = e.b & 1 ? kInt32 : (e.b % 4 == 2 ? kUint64 : kUint32);
            put_le(payload, a, scalar_size(type));
            set_key(img, "general.alignment", type, std::move(payload));
            return;
        }
        case EditOp::Architecture: {
            static const std::vector<std::string> names = {"llama", "qwen2", "qwen3", "mixtral", "gemma2", "phi3",
                                                           "", "LLAMA", std::string("llama\0", 6), "\xff"};
            const std::string old = architecture(img);
            const std::string name = pick(names, e.c) != old ? pick(names, e.c) : pick(names, e.c + 1u);
            set_key(img, "general.architecture", kString, string_payload(name));
            if (e.b & 1) rename_arch_keys(img, old, name);
            return;
        }
        case EditOp::BlockCount: {
            static const std::vector<uint64_t> counts = {0, 1, 2, 3, 4, 5, 6, 8, 0x7fffffff, 0xffffffff};
            const std::string key = architecture(img) + ".block_count";
            const GgufImage::Kv *old = img.find(key);
            const double current = old != nullptr ? scalar_value(old->type, old->payload.data(), old->payload.size()) : -1;
            const uint64_t n = static_cast<double>(pick(counts, e.c)) != current ? pick(counts, e.c) : pick(counts, e.c + 1u);
            std::vector<uint8_t> payload;
            put_le(payload, n, 4);
            set_key(img, key, kUint32, std::move(payload));
            if (e.b & 1) match_layers(img, n);
            return;
        }
        case EditOp::Header:
            switch (e.c % 8) {
                case 0: {
                    static const std::vector<uint32_t> versions = {0, 1, 2, 4, 0xffffffffu};
                    img.version = pick(versions, e.c / 8);
                    break;
                }
                case 1: img.n_kv_delta += 1; break;
                case 2: img.n_kv_delta -= 1; break;
                case 3: img.n_tensors_delta += 1; break;
                case 4: img.n_tensors_delta -= 1; break;
                case 5: img.n_kv_delta += int64_t{1} << 40; break;
                case 6: img.n_tensors_delta += int64_t{1} << 40; break;
                default: img.magic ^= uint32_t{1} << (e.c % 32); break;
            }
            return;
        case EditOp::kCount:
            return;
    }
}

}  // namespace lamina::fuzz
