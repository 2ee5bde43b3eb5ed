// GGUF v2/v3 reader over a read-only memory mapping.
//
// Everything is validated against the file length before it is read: counts, string lengths,
// array sizes, tensor dimensions, types, offsets and alignment; no two tensors may share bytes.
// A malformed file throws LaminaError(LM_ERR_BAD_FORMAT or LM_ERR_UNSUPPORTED) with a message
// naming the file and the key or tensor at fault. Strings and arrays are views into the
// mapping: no copies.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/mapped_file.h"
#include "quant/ggml_type.h"

namespace lamina {

enum class GgufValueType : uint32_t {
    UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
    STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};

const char *gguf_value_type_name(GgufValueType type);

// One metadata value. Scalars are widened into the matching field; arrays keep a pointer to
// their raw little-endian elements (numbers) or a list of views (strings).
struct GgufValue {
    GgufValueType type = GgufValueType::UINT8;
    uint64_t u = 0;            // unsigned integers and bool
    int64_t i = 0;             // signed integers (also set for unsigned ones that fit)
    double f = 0;              // floats (also set for every integer)
    std::string_view str;      // STRING
    // ARRAY
    GgufValueType elem_type = GgufValueType::UINT8;
    uint64_t count = 0;
    const uint8_t *elems = nullptr;            // numeric elements, packed, unaligned
    std::vector<std::string_view> strings;     // STRING elements

    bool is_integer() const;
    bool is_float() const { return type == GgufValueType::FLOAT32 || type == GgufValueType::FLOAT64; }
    // Numeric array element access (any numeric elem_type, converted; float elements read as
    // integers truncate and saturate at the int64 limits, NaN as 0).
    double elem_f64(uint64_t index) const;
    int64_t elem_i64(uint64_t index) const;
};

struct GgufKv {
    std::string_view key;
    GgufValue value;
};

struct GgufTensorInfo {
    std::string_view name;
    GgmlType type = GgmlType::F32;
    uint32_t n_dims = 0;
    int64_t ne[4] = {1, 1, 1, 1};  // innermost first
    uint64_t offset = 0;           // relative to the data section
    uint64_t n_bytes = 0;
    const uint8_t *data = nullptr; // into the mapping; nullptr when opened metadata-only
    int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
};

class GgufFile {
public:
    // Maps and parses `path`. Throws LaminaError naming the problem.
    static std::unique_ptr<GgufFile> open(const std::string &path);
    // Parses bytes the caller keeps alive (tests, fuzzing). `name` is used in messages.
    static std::unique_ptr<GgufFile> parse(const uint8_t *data, size_t size, std::string name);

    const std::string &name() const { return name_; }
    uint32_t version() const { return version_; }
    size_t alignment() const { return alignment_; }
    size_t file_size() const { return size_; }
    // The whole file as mapped (or parsed from memory), file_size() bytes.
    const uint8_t *bytes() const { return base_; }

    const std::vector<GgufKv> &metadata() const { return kvs_; }
    const GgufValue *find(std::string_view key) const;  // nullptr if absent
    bool has(std::string_view key) const { return find(key) != nullptr; }

    // Typed getters. The required forms throw LM_ERR_BAD_FORMAT naming the key when it is
    // absent or of the wrong type; the *_or forms return the fallback when absent (and still
    // throw on a wrong type).
    std::string_view get_string(std::string_view key) const;
    std::string_view get_string_or(std::string_view key, std::string_view fallback) const;
    int64_t get_int(std::string_view key) const;
    int64_t get_int_or(std::string_view key, int64_t fallback) const;
    double get_float(std::string_view key) const;
    double get_float_or(std::string_view key, double fallback) const;
    bool get_bool_or(std::string_view key, bool fallback) const;
    // Arrays: any element type; element type checks are the caller's.
    const GgufValue &get_array(std::string_view key) const;
    const GgufValue *find_array(std::string_view key) const;  // nullptr if absent

    const std::vector<GgufTensorInfo> &tensors() const { return tensors_; }
    // Drops the pages of [p, p + n) (tensor data no longer read in place) from memory when the
    // file is memory-mapped; a no-op for bytes parse() was given, which belong to the caller.
    void release_pages(const uint8_t *p, size_t n) const;
    const GgufTensorInfo *find_tensor(std::string_view name) const;  // nullptr if absent

    // Renders a value as text for `lamina info` (arrays abbreviated to their first elements).
    static std::string value_to_text(const GgufValue &value, size_t max_elems = 8);

private:
    GgufFile() = default;
    void parse_all();
    void reject_overlapping_data(uint64_t data_start) const;

    std::unique_ptr<MappedFile> mapping_;
    const uint8_t *base_ = nullptr;
    size_t size_ = 0;
    std::string name_;
    uint32_t version_ = 0;
    size_t alignment_ = 32;
    std::vector<GgufKv> kvs_;
    std::unordered_map<std::string_view, size_t> kv_index_;
    std::vector<GgufTensorInfo> tensors_;
    std::unordered_map<std::string_view, size_t> tensor_index_;
};

}  // namespace lamina
