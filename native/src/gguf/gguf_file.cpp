#include "gguf/gguf_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "common/anonymous_memory.h"
#include "common/error.h"
#include "gguf/gguf_cursor.h"

namespace lamina {
namespace {

constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" little-endian
// Sanity bounds: a count above these cannot come from a real model and would only make us
// allocate absurd amounts before finding out the file is short.
constexpr uint64_t kMaxTensors = 1u << 20;
constexpr uint64_t kMaxKvs = 1u << 20;
constexpr uint32_t kMaxDims = 4;

size_t elem_size(GgufValueType t) {
    switch (t) {
        case GgufValueType::UINT8: case GgufValueType::INT8: case GgufValueType::BOOL: return 1;
        case GgufValueType::UINT16: case GgufValueType::INT16: return 2;
        case GgufValueType::UINT32: case GgufValueType::INT32: case GgufValueType::FLOAT32: return 4;
        case GgufValueType::UINT64: case GgufValueType::INT64: case GgufValueType::FLOAT64: return 8;
        default: return 0;
    }
}

// GGUF strings are UTF-8 (gguf-py cannot write anything else). Returns the offset of the first
// ill-formed sequence (truncated, overlong, surrogate, beyond U+10FFFF, stray continuation),
// or npos when the text is well formed.
size_t first_invalid_utf8(std::string_view s) {
    const auto *p = reinterpret_cast<const uint8_t *>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const uint8_t b = p[i];
        if (b < 0x80) { ++i; continue; }
        size_t len;
        uint32_t cp;
        if (b >= 0xC2 && b <= 0xDF) { len = 2; cp = b & 0x1F; }
        else if (b >= 0xE0 && b <= 0xEF) { len = 3; cp = b & 0x0F; }
        else if (b >= 0xF0 && b <= 0xF4) { len = 4; cp = b & 0x07; }
        else return i;
        if (n - i < len) return i;
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return i;
        }
        i += len;
    }
    return std::string_view::npos;
}

bool valid_value_type(uint32_t t) { return t <= static_cast<uint32_t>(GgufValueType::FLOAT64); }

template <typename T>
T load(const uint8_t *p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Reads one numeric scalar of type t at p into the value's u/i/f fields.
void decode_scalar(GgufValueType t, const uint8_t *p, GgufValue &v) {
    switch (t) {
        case GgufValueType::UINT8: v.u = load<uint8_t>(p); v.i = static_cast<int64_t>(v.u); break;
        case GgufValueType::INT8: v.i = load<int8_t>(p); break;
        case GgufValueType::UINT16: v.u = load<uint16_t>(p); v.i = static_cast<int64_t>(v.u); break;
        case GgufValueType::INT16: v.i = load<int16_t>(p); break;
        case GgufValueType::UINT32: v.u = load<uint32_t>(p); v.i = static_cast<int64_t>(v.u); break;
        case GgufValueType::INT32: v.i = load<int32_t>(p); break;
        case GgufValueType::UINT64:
            v.u = load<uint64_t>(p);
            v.i = v.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                      ? std::numeric_limits<int64_t>::max() : static_cast<int64_t>(v.u);
            break;
        case GgufValueType::INT64: v.i = load<int64_t>(p); break;
        case GgufValueType::BOOL: v.u = load<uint8_t>(p) != 0; v.i = static_cast<int64_t>(v.u); break;
        case GgufValueType::FLOAT32: v.f = load<float>(p); return;
        case GgufValueType::FLOAT64: v.f = load<double>(p); return;
        default: return;
    }
    if (t == GgufValueType::INT8 || t == GgufValueType::INT16 || t == GgufValueType::INT32 ||
        t == GgufValueType::INT64) {
        v.u = static_cast<uint64_t>(v.i);
    }
    v.f = static_cast<double>(v.i);
}

}  // namespace

const char *gguf_value_type_name(GgufValueType type) {
    switch (type) {
        case GgufValueType::UINT8: return "u8";
        case GgufValueType::INT8: return "i8";
        case GgufValueType::UINT16: return "u16";
        case GgufValueType::INT16: return "i16";
        case GgufValueType::UINT32: return "u32";
        case GgufValueType::INT32: return "i32";
        case GgufValueType::FLOAT32: return "f32";
        case GgufValueType::BOOL: return "bool";
        case GgufValueType::STRING: return "string";
        case GgufValueType::ARRAY: return "array";
        case GgufValueType::UINT64: return "u64";
        case GgufValueType::INT64: return "i64";
        case GgufValueType::FLOAT64: return "f64";
    }
    return "unknown";
}

bool GgufValue::is_integer() const {
    switch (type) {
        case GgufValueType::UINT8: case GgufValueType::INT8: case GgufValueType::UINT16:
        case GgufValueType::INT16: case GgufValueType::UINT32: case GgufValueType::INT32:
        case GgufValueType::UINT64: case GgufValueType::INT64: return true;
        default: return false;
    }
}

double GgufValue::elem_f64(uint64_t index) const {
    GgufValue tmp;
    decode_scalar(elem_type, elems + index * elem_size(elem_type), tmp);
    return tmp.f;
}

int64_t GgufValue::elem_i64(uint64_t index) const {
    GgufValue tmp;
    decode_scalar(elem_type, elems + index * elem_size(elem_type), tmp);
    if (elem_type != GgufValueType::FLOAT32 && elem_type != GgufValueType::FLOAT64) return tmp.i;
    // A float outside int64 (or NaN) has no integer value; converting it anyway is undefined
    // behaviour, so it saturates (NaN reads as 0) and the caller's range checks see the result.
    if (std::isnan(tmp.f)) return 0;
    if (tmp.f >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
    if (tmp.f <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(tmp.f);
}

std::unique_ptr<GgufFile> GgufFile::open(const std::string &path) {
    auto mapping = std::make_unique<MappedFile>(path);
    std::unique_ptr<GgufFile> file(new GgufFile());
    file->base_ = mapping->data();
    file->size_ = mapping->size();
    file->name_ = path;
    file->mapping_ = std::move(mapping);
    file->parse_all();
    return file;
}

std::unique_ptr<GgufFile> GgufFile::parse(const uint8_t *data, size_t size, std::string name) {
    std::unique_ptr<GgufFile> file(new GgufFile());
    file->base_ = data;
    file->size_ = size;
    file->name_ = std::move(name);
    file->parse_all();
    return file;
}

void GgufFile::parse_all() {
    GgufCursor in(base_, size_, name_);
    // Reads a string and rejects it unless it is UTF-8, naming what it is and the bad byte.
    const auto utf8_str = [&](const std::string &what, int64_t element = -1) {
        const uint64_t at = in.position() + 8;
        const std::string_view s = in.str(what);
        const size_t bad = first_invalid_utf8(s);
        if (bad != std::string_view::npos) {
            const std::string elem = element >= 0 ? " element " + std::to_string(element) : "";
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what + elem + " is not valid UTF-8 (byte " +
                                        std::to_string(bad) + " of the string at offset " + std::to_string(at) + ")");
        }
        return s;
    };
    const uint32_t magic = in.u32("magic");
    if (magic != kGgufMagic) {
        char got[5] = {0};
        std::memcpy(got, &magic, 4);
        for (char &c : got) if (c != 0 && (c < 32 || c > 126)) c = '?';
        fail(LM_ERR_BAD_FORMAT, "'" + name_ + "' is not a GGUF file: magic is \"" + got +
                                    "\", expected \"GGUF\"");
    }
    version_ = in.u32("version");
    if (version_ == 1) {
        fail(LM_ERR_UNSUPPORTED, "'" + name_ + "' is GGUF version 1, which is obsolete; "
                                 "convert it with a current llama.cpp (versions 2 and 3 are read)");
    }
    if (version_ != 2 && version_ != 3) {
        fail(LM_ERR_BAD_FORMAT, "'" + name_ + "' has unknown GGUF version " + std::to_string(version_));
    }
    const uint64_t n_tensors = in.u64("tensor count");
    const uint64_t n_kv = in.u64("metadata count");
    if (n_tensors > kMaxTensors) {
        fail(LM_ERR_BAD_FORMAT, "'" + name_ + "' claims " + std::to_string(n_tensors) +
                                    " tensors (more than " + std::to_string(kMaxTensors) + ")");
    }
    if (n_kv > kMaxKvs) {
        fail(LM_ERR_BAD_FORMAT, "'" + name_ + "' claims " + std::to_string(n_kv) +
                                    " metadata entries (more than " + std::to_string(kMaxKvs) + ")");
    }

    // Reserve no more than the bytes left could describe (a key length, a type and a value take
    // at least 13 bytes; a tensor info at least 32): claimed counts are not trusted.
    kvs_.reserve(std::min<uint64_t>(n_kv, in.remaining() / 13));
    for (uint64_t k = 0; k < n_kv; ++k) {
        GgufKv kv;
        kv.key = utf8_str("key of metadata entry " + std::to_string(k));
        const std::string what = "metadata '" + std::string(kv.key) + "'";
        const uint32_t type = in.u32(what + " type");
        if (!valid_value_type(type)) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what + " has unknown value type " +
                                        std::to_string(type));
        }
        kv.value.type = static_cast<GgufValueType>(type);
        if (kv.value.type == GgufValueType::STRING) {
            kv.value.str = utf8_str(what);
        } else if (kv.value.type == GgufValueType::ARRAY) {
            const uint32_t et = in.u32(what + " element type");
            if (!valid_value_type(et) || et == static_cast<uint32_t>(GgufValueType::ARRAY)) {
                fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what +
                                            " is an array of unsupported element type " + std::to_string(et));
            }
            kv.value.elem_type = static_cast<GgufValueType>(et);
            kv.value.count = in.u64(what + " element count");
            if (kv.value.elem_type == GgufValueType::STRING) {
                // Each string needs at least its 8-byte length: bound the count by what is left.
                if (kv.value.count > in.remaining() / 8) {
                    fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what + " claims " +
                                                std::to_string(kv.value.count) +
                                                " strings, more than the file can hold");
                }
                kv.value.strings.reserve(kv.value.count);
                for (uint64_t e = 0; e < kv.value.count; ++e) {
                    kv.value.strings.push_back(utf8_str(what, static_cast<int64_t>(e)));
                }
            } else {
                const size_t es = elem_size(kv.value.elem_type);
                if (kv.value.count > in.remaining() / es) {
                    fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what + " claims " +
                                                std::to_string(kv.value.count) +
                                                " elements, past the end of the file");
                }
                kv.value.elems = in.bytes(kv.value.count * es, what);
            }
        } else {
            decode_scalar(kv.value.type, in.bytes(elem_size(kv.value.type), what), kv.value);
        }
        if (!kv_index_.emplace(kv.key, kvs_.size()).second) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': metadata key '" + std::string(kv.key) +
                                        "' appears twice");
        }
        kvs_.push_back(std::move(kv));
    }

    if (const GgufValue *a = find("general.alignment")) {
        if (!a->is_integer() || a->u == 0 || (a->u & (a->u - 1)) != 0 || a->u > 1u << 20) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': general.alignment must be a power of two, got " +
                                        value_to_text(*a));
        }
        alignment_ = static_cast<size_t>(a->u);
    }

    tensors_.reserve(std::min<uint64_t>(n_tensors, in.remaining() / 32));
    for (uint64_t t = 0; t < n_tensors; ++t) {
        GgufTensorInfo ti;
        ti.name = utf8_str("name of tensor " + std::to_string(t));
        const std::string what = "tensor '" + std::string(ti.name) + "'";
        ti.n_dims = in.u32(what + " dimension count");
        if (ti.n_dims == 0 || ti.n_dims > kMaxDims) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what + " has " + std::to_string(ti.n_dims) +
                                        " dimensions (1 to 4 allowed)");
        }
        for (uint32_t d = 0; d < ti.n_dims; ++d) {
            const uint64_t ne = in.u64(what + " size");
            if (ne == 0 || ne > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
                fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what + " has invalid size " +
                                            std::to_string(ne) + " in dimension " + std::to_string(d));
            }
            ti.ne[d] = static_cast<int64_t>(ne);
        }
        const uint32_t type = in.u32(what + " type");
        const TypeGeometry geo = type_geometry(type);
        if (geo.name == nullptr) {
            fail(LM_ERR_UNSUPPORTED, "'" + name_ + "': " + what + " has unknown tensor type id " +
                                         std::to_string(type));
        }
        ti.type = static_cast<GgmlType>(type);
        ti.offset = in.u64(what + " offset");
        // Element count and byte size without overflow.
        uint64_t n = 1;
        for (int d = 0; d < 4; ++d) {
            if (__builtin_mul_overflow(n, static_cast<uint64_t>(ti.ne[d]), &n) ||
                n > (uint64_t{1} << 50)) {
                fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what + " has an absurd element count");
            }
        }
        if (ti.ne[0] % geo.block_size != 0) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what + " row length " + std::to_string(ti.ne[0]) +
                                        " is not a multiple of the " + geo.name + " block size " +
                                        std::to_string(geo.block_size));
        }
        ti.n_bytes = n / static_cast<uint64_t>(geo.block_size) * geo.type_size;
        if (ti.offset % alignment_ != 0) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what + " offset " + std::to_string(ti.offset) +
                                        " is not aligned to " + std::to_string(alignment_));
        }
        if (!tensor_index_.emplace(ti.name, tensors_.size()).second) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': tensor '" + std::string(ti.name) + "' appears twice");
        }
        tensors_.push_back(ti);
    }

    // The data section starts at the next multiple of the alignment.
    const uint64_t header_end = in.position();
    const uint64_t data_start = (header_end + alignment_ - 1) / alignment_ * alignment_;
    for (GgufTensorInfo &ti : tensors_) {
        uint64_t end = 0;
        if (__builtin_add_overflow(data_start, ti.offset, &end) ||
            __builtin_add_overflow(end, ti.n_bytes, &end) || end > size_) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': data of tensor '" + std::string(ti.name) +
                                        "' (" + std::to_string(ti.n_bytes) + " bytes at offset " +
                                        std::to_string(data_start + ti.offset) +
                                        ") lies past the end of the file (" + std::to_string(size_) +
                                        " bytes); the file is truncated or corrupt");
        }
        ti.data = base_ + data_start + ti.offset;
    }
    reject_overlapping_data(data_start);
}

void GgufFile::reject_overlapping_data(uint64_t data_start) const {
    // Two tensors sharing bytes would make a write to one (repacking, quantizing) corrupt the
    // other, and a file that aliases tensors is not one any GGUF writer produces.
    std::vector<const GgufTensorInfo *> by_offset;
    by_offset.reserve(tensors_.size());
    for (const GgufTensorInfo &ti : tensors_) by_offset.push_back(&ti);
    std::sort(by_offset.begin(), by_offset.end(),
              [](const GgufTensorInfo *a, const GgufTensorInfo *b) { return a->offset < b->offset; });
    const auto range = [&](const GgufTensorInfo &ti) {
        const uint64_t begin = data_start + ti.offset;
        return "'" + std::string(ti.name) + "' (bytes " + std::to_string(begin) + ".." +
               std::to_string(begin + ti.n_bytes) + ")";
    };
    for (size_t i = 1; i < by_offset.size(); ++i) {
        const GgufTensorInfo &prev = *by_offset[i - 1], &cur = *by_offset[i];
        if (cur.offset < prev.offset + prev.n_bytes) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': the data of tensor " + range(cur) + " overlaps tensor " +
                                        range(prev) + "; each tensor needs bytes of its own");
        }
    }
}

const GgufValue *GgufFile::find(std::string_view key) const {
    auto it = kv_index_.find(key);
    return it == kv_index_.end() ? nullptr : &kvs_[it->second].value;
}

namespace {
[[noreturn]] void wrong_type(const std::string &file, std::string_view key, const GgufValue &v,
                             const char *wanted) {
    fail(LM_ERR_BAD_FORMAT, "'" + file + "': metadata '" + std::string(key) + "' should be " + wanted +
                                " but is " + gguf_value_type_name(v.type));
}
[[noreturn]] void missing(const std::string &file, std::string_view key) {
    fail(LM_ERR_BAD_FORMAT, "'" + file + "': required metadata key '" + std::string(key) + "' is missing");
}
}  // namespace

std::string_view GgufFile::get_string(std::string_view key) const {
    const GgufValue *v = find(key);
    if (v == nullptr) missing(name_, key);
    if (v->type != GgufValueType::STRING) wrong_type(name_, key, *v, "a string");
    return v->str;
}

std::string_view GgufFile::get_string_or(std::string_view key, std::string_view fallback) const {
    return has(key) ? get_string(key) : fallback;
}

int64_t GgufFile::get_int(std::string_view key) const {
    const GgufValue *v = find(key);
    if (v == nullptr) missing(name_, key);
    if (!v->is_integer()) wrong_type(name_, key, *v, "an integer");
    return v->i;
}

int64_t GgufFile::get_int_or(std::string_view key, int64_t fallback) const {
    return has(key) ? get_int(key) : fallback;
}

double GgufFile::get_float(std::string_view key) const {
    const GgufValue *v = find(key);
    if (v == nullptr) missing(name_, key);
    if (!v->is_float() && !v->is_integer()) wrong_type(name_, key, *v, "a number");
    return v->f;
}

double GgufFile::get_float_or(std::string_view key, double fallback) const {
    return has(key) ? get_float(key) : fallback;
}

bool GgufFile::get_bool_or(std::string_view key, bool fallback) const {
    const GgufValue *v = find(key);
    if (v == nullptr) return fallback;
    if (v->type != GgufValueType::BOOL && !v->is_integer()) wrong_type(name_, key, *v, "a bool");
    return v->u != 0;
}

const GgufValue &GgufFile::get_array(std::string_view key) const {
    const GgufValue *v = find(key);
    if (v == nullptr) missing(name_, key);
    if (v->type != GgufValueType::ARRAY) wrong_type(name_, key, *v, "an array");
    return *v;
}

const GgufValue *GgufFile::find_array(std::string_view key) const {
    return has(key) ? &get_array(key) : nullptr;
}

const GgufTensorInfo *GgufFile::find_tensor(std::string_view name) const {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

std::string GgufFile::value_to_text(const GgufValue &v, size_t max_elems) {
    std::ostringstream out;
    auto scalar = [&](GgufValueType t, const GgufValue &s) {
        switch (t) {
            case GgufValueType::BOOL: out << (s.u ? "true" : "false"); break;
            case GgufValueType::FLOAT32: case GgufValueType::FLOAT64: out << s.f; break;
            case GgufValueType::UINT8: case GgufValueType::UINT16: case GgufValueType::UINT32:
            case GgufValueType::UINT64: out << s.u; break;
            default: out << s.i; break;
        }
    };
    if (v.type == GgufValueType::STRING) {
        out << v.str;
    } else if (v.type == GgufValueType::ARRAY) {
        out << "[";
        const uint64_t shown = v.count < max_elems ? v.count : max_elems;
        for (uint64_t e = 0; e < shown; ++e) {
            if (e > 0) out << ", ";
            if (v.elem_type == GgufValueType::STRING) {
                out << '"' << v.strings[e] << '"';
            } else {
                GgufValue tmp;
                decode_scalar(v.elem_type, v.elems + e * elem_size(v.elem_type), tmp);
                scalar(v.elem_type, tmp);
            }
        }
        if (shown < v.count) out << ", ... (" << v.count << " " << gguf_value_type_name(v.elem_type) << ")";
        out << "]";
    } else {
        scalar(v.type, v);
    }
    return out.str();
}

void GgufFile::release_pages(const uint8_t *p, size_t n) const {
    if (mapping_ != nullptr) release_file_pages(p, n);
}

}  // namespace lamina
