#include "gguf/gguf_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "common/error.h"
#include "common/os.h"
#include "common/output_guard.h"

namespace lamina {
namespace {

template <typename T>
void append(std::vector<uint8_t> &out, T v) {
    const size_t at = out.size();
    out.resize(at + sizeof v);
    std::memcpy(out.data() + at, &v, sizeof v);
}

void append_string(std::vector<uint8_t> &out, std::string_view s) {
    append<uint64_t>(out, s.size());
    out.insert(out.end(), s.begin(), s.end());
}

size_t numeric_size(GgufValueType t) {
    switch (t) {
        case GgufValueType::UINT8: case GgufValueType::INT8: case GgufValueType::BOOL: return 1;
        case GgufValueType::UINT16: case GgufValueType::INT16: return 2;
        case GgufValueType::UINT32: case GgufValueType::INT32: case GgufValueType::FLOAT32: return 4;
        default: return 8;
    }
}

void append_scalar(std::vector<uint8_t> &out, GgufValueType t, const GgufValue &v) {
    switch (t) {
        case GgufValueType::UINT8: append<uint8_t>(out, static_cast<uint8_t>(v.u)); break;
        case GgufValueType::INT8: append<int8_t>(out, static_cast<int8_t>(v.i)); break;
        case GgufValueType::UINT16: append<uint16_t>(out, static_cast<uint16_t>(v.u)); break;
        case GgufValueType::INT16: append<int16_t>(out, static_cast<int16_t>(v.i)); break;
        case GgufValueType::UINT32: append<uint32_t>(out, static_cast<uint32_t>(v.u)); break;
        case GgufValueType::INT32: append<int32_t>(out, static_cast<int32_t>(v.i)); break;
        case GgufValueType::UINT64: append<uint64_t>(out, v.u); break;
        case GgufValueType::INT64: append<int64_t>(out, v.i); break;
        case GgufValueType::FLOAT32: append<float>(out, static_cast<float>(v.f)); break;
        case GgufValueType::FLOAT64: append<double>(out, v.f); break;
        case GgufValueType::BOOL: append<uint8_t>(out, v.u ? 1 : 0); break;
        default: break;
    }
}

}  // namespace

void GgufWriter::put(std::string_view key, std::vector<uint8_t> encoded) {
    for (Kv &kv : kvs_) {
        if (kv.key == key) {
            kv.encoded = std::move(encoded);
            return;
        }
    }
    kvs_.push_back({std::string(key), std::move(encoded)});
}

void GgufWriter::set_string(std::string_view key, std::string_view value) {
    std::vector<uint8_t> e;
    append<uint32_t>(e, static_cast<uint32_t>(GgufValueType::STRING));
    append_string(e, value);
    put(key, std::move(e));
}

void GgufWriter::set_u32(std::string_view key, uint32_t value) {
    std::vector<uint8_t> e;
    append<uint32_t>(e, static_cast<uint32_t>(GgufValueType::UINT32));
    append<uint32_t>(e, value);
    put(key, std::move(e));
}

void GgufWriter::set_i32(std::string_view key, int32_t value) {
    std::vector<uint8_t> e;
    append<uint32_t>(e, static_cast<uint32_t>(GgufValueType::INT32));
    append<int32_t>(e, value);
    put(key, std::move(e));
}

void GgufWriter::set_f32(std::string_view key, float value) {
    std::vector<uint8_t> e;
    append<uint32_t>(e, static_cast<uint32_t>(GgufValueType::FLOAT32));
    append<float>(e, value);
    put(key, std::move(e));
}

void GgufWriter::set_bool(std::string_view key, bool value) {
    std::vector<uint8_t> e;
    append<uint32_t>(e, static_cast<uint32_t>(GgufValueType::BOOL));
    append<uint8_t>(e, value ? 1 : 0);
    put(key, std::move(e));
}

void GgufWriter::set_value(std::string_view key, const GgufValue &v) {
    std::vector<uint8_t> e;
    append<uint32_t>(e, static_cast<uint32_t>(v.type));
    if (v.type == GgufValueType::STRING) {
        append_string(e, v.str);
    } else if (v.type == GgufValueType::ARRAY) {
        append<uint32_t>(e, static_cast<uint32_t>(v.elem_type));
        append<uint64_t>(e, v.count);
        if (v.elem_type == GgufValueType::STRING) {
            for (std::string_view s : v.strings) append_string(e, s);
        } else {
            e.insert(e.end(), v.elems, v.elems + v.count * numeric_size(v.elem_type));
        }
    } else {
        append_scalar(e, v.type, v);
    }
    put(key, std::move(e));
}

void GgufWriter::copy_metadata(const GgufFile &file, const std::vector<std::string> &except) {
    for (const GgufKv &kv : file.metadata()) {
        bool skip = false;
        for (const std::string &k : except) skip = skip || kv.key == k;
        if (!skip) set_value(kv.key, kv.value);
    }
}

void GgufWriter::remove(std::string_view key) {
    for (size_t i = 0; i < kvs_.size(); ++i) {
        if (kvs_[i].key == key) {
            kvs_.erase(kvs_.begin() + static_cast<std::ptrdiff_t>(i));
            return;
        }
    }
}

void GgufWriter::add_tensor(std::string_view name, GgmlType type, const std::vector<int64_t> &ne, const void *data,
                            size_t n_bytes) {
    const auto *p = static_cast<const uint8_t *>(data);
    tensors_.push_back({std::string(name), type, ne, std::vector<uint8_t>(p, p + n_bytes), n_bytes});
}

void GgufWriter::add_tensor_info(std::string_view name, GgmlType type, const std::vector<int64_t> &ne, size_t n_bytes) {
    tensors_.push_back({std::string(name), type, ne, {}, n_bytes});
}

std::vector<uint8_t> GgufWriter::serialize_header(size_t alignment) const {
    std::vector<uint8_t> out;
    append<uint32_t>(out, 0x46554747);  // "GGUF"
    append<uint32_t>(out, 3);
    append<uint64_t>(out, tensors_.size());
    // general.alignment is written when it differs from the default, as llama.cpp does.
    const bool write_alignment = alignment != 32;
    append<uint64_t>(out, kvs_.size() + (write_alignment ? 1 : 0));
    for (const Kv &kv : kvs_) {
        append_string(out, kv.key);
        out.insert(out.end(), kv.encoded.begin(), kv.encoded.end());
    }
    if (write_alignment) {
        append_string(out, "general.alignment");
        append<uint32_t>(out, static_cast<uint32_t>(GgufValueType::UINT32));
        append<uint32_t>(out, static_cast<uint32_t>(alignment));
    }
    uint64_t offset = 0;
    for (const Tensor &t : tensors_) {
        append_string(out, t.name);
        append<uint32_t>(out, static_cast<uint32_t>(t.ne.size()));
        for (int64_t n : t.ne) append<uint64_t>(out, static_cast<uint64_t>(n));
        append<uint32_t>(out, static_cast<uint32_t>(t.type));
        append<uint64_t>(out, offset);
        offset += (t.n_bytes + alignment - 1) / alignment * alignment;
    }
    out.resize((out.size() + alignment - 1) / alignment * alignment, 0);
    return out;
}

std::vector<uint8_t> GgufWriter::serialize(size_t alignment) const {
    std::vector<uint8_t> out = serialize_header(alignment);
    for (const Tensor &t : tensors_) {
        out.insert(out.end(), t.data.begin(), t.data.end());
        out.resize((out.size() + alignment - 1) / alignment * alignment, 0);
    }
    return out;
}

void GgufWriter::write(const std::string &path, size_t alignment) const {
    write_streaming(path, [&](size_t index, std::vector<uint8_t> &) {
        fail(LM_ERR_INTERNAL, "tensor '" + tensors_[index].name + "' was declared without data; use write_streaming");
    }, {}, alignment);
}

void GgufWriter::write_streaming(const std::string &path, const TensorProducer &produce,
                                 const std::vector<std::string> &inputs, size_t alignment) const {
    refuse_output_aliasing(path, inputs);
    // A fresh name: a fixed "path.tmp" could be an existing file, even one of the inputs.
    std::string tmp, error;
    std::FILE *f = os::create_temp_beside(path, tmp, error);
    if (f == nullptr) fail(LM_ERR_IO, "cannot create a temporary file beside '" + path + "': " + error);
    auto abandon = [&](const std::string &why) {
        std::fclose(f);
        std::remove(tmp.c_str());
        fail(LM_ERR_IO, "cannot write '" + path + "': " + why);
    };
    auto put = [&](const void *p, size_t n) {
        if (n > 0 && std::fwrite(p, 1, n, f) != n) abandon(std::strerror(errno));
    };
    const std::vector<uint8_t> header = serialize_header(alignment);
    put(header.data(), header.size());
    std::vector<uint8_t> bytes;
    const std::vector<uint8_t> zeros(alignment, 0);
    for (size_t i = 0; i < tensors_.size(); ++i) {
        const Tensor &t = tensors_[i];
        if (t.data.size() == t.n_bytes && t.n_bytes > 0) {
            bytes = t.data;
        } else {
            bytes.clear();
            try {
                produce(i, bytes);
            } catch (...) {
                std::fclose(f);
                std::remove(tmp.c_str());
                throw;
            }
        }
        if (bytes.size() != t.n_bytes) {
            abandon("tensor '" + t.name + "' produced " + std::to_string(bytes.size()) + " bytes, " +
                    std::to_string(t.n_bytes) + " declared");
        }
        put(bytes.data(), bytes.size());
        put(zeros.data(), (alignment - bytes.size() % alignment) % alignment);
    }
    if (std::fclose(f) != 0) {
        std::remove(tmp.c_str());
        fail(LM_ERR_IO, "cannot write '" + path + "' (disk full?)");
    }
    // Checked again just before the rename: the output may have become a link to an input meanwhile.
    try {
        refuse_output_aliasing(path, inputs);
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
    if (!os::replace_file(tmp, path, error)) {
        std::remove(tmp.c_str());
        fail(LM_ERR_IO, "cannot rename '" + tmp + "' to '" + path + "': " + error);
    }
}

}  // namespace lamina
