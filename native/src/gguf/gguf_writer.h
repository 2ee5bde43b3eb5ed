// Writes GGUF v3 files: metadata (set or copied from another file) and tensors. Used by
// `lamina quantize`, by model synthesis for benchmarks and by tests that build files.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gguf/gguf_file.h"

namespace lamina {

class GgufWriter {
public:
    void set_string(std::string_view key, std::string_view value);
    void set_u32(std::string_view key, uint32_t value);
    void set_i32(std::string_view key, int32_t value);
    void set_f32(std::string_view key, float value);
    void set_bool(std::string_view key, bool value);
    // Copies a value of any type, as read from another file.
    void set_value(std::string_view key, const GgufValue &value);
    // Copies every metadata entry of `file` (in order) except the keys listed.
    void copy_metadata(const GgufFile &file, const std::vector<std::string> &except = {});
    void remove(std::string_view key);

    // `data` holds the tensor's bytes in `type`'s layout; it is copied.
    void add_tensor(std::string_view name, GgmlType type, const std::vector<int64_t> &ne,
                    const void *data, size_t n_bytes);

    // Declares a tensor whose bytes are produced later, by write_streaming (files larger than
    // memory). n_bytes must be exactly what the producer will deliver.
    void add_tensor_info(std::string_view name, GgmlType type, const std::vector<int64_t> &ne, size_t n_bytes);

    // Writes the file (to a new temporary file beside it first, then renamed, so a failure leaves
    // any existing file untouched). Throws LaminaError(LM_ERR_IO).
    void write(const std::string &path, size_t alignment = 32) const;

    // Like write, but asks `produce(index, bytes)` for the data of each tensor declared with
    // add_tensor_info, in order, writing each as it comes (so only one tensor is in memory).
    // `produce` fills `bytes` with exactly the declared size; it may throw to abort (the
    // partial file is removed). `inputs` are the files the data comes from: an output that is
    // one of them (also through a link) is refused before anything is written.
    using TensorProducer = std::function<void(size_t index, std::vector<uint8_t> &bytes)>;
    void write_streaming(const std::string &path, const TensorProducer &produce,
                         const std::vector<std::string> &inputs = {}, size_t alignment = 32) const;
    // The bytes write() would produce.
    std::vector<uint8_t> serialize(size_t alignment = 32) const;

private:
    struct Kv {
        std::string key;
        std::vector<uint8_t> encoded;  // type id + payload
    };
    struct Tensor {
        std::string name;
        GgmlType type;
        std::vector<int64_t> ne;
        std::vector<uint8_t> data;  // empty for tensors declared by add_tensor_info
        size_t n_bytes;
    };
    std::vector<uint8_t> serialize_header(size_t alignment) const;
    void put(std::string_view key, std::vector<uint8_t> encoded);

    std::vector<Kv> kvs_;
    std::vector<Tensor> tensors_;
};

}  // namespace lamina
