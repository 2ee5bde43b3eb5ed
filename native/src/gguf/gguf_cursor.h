// Bounds-checked little-endian reads over the GGUF header. Running past the end is a
// LM_ERR_BAD_FORMAT naming what was being read, never an out-of-bounds read.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/error.h"

namespace lamina {

class GgufCursor {
public:
    GgufCursor(const uint8_t *data, size_t size, const std::string &name)
        : data_(data), size_(size), name_(name) {}

    uint64_t position() const { return pos_; }
    uint64_t remaining() const { return size_ - pos_; }

    const uint8_t *bytes(uint64_t n, const std::string &what) {
        if (n > remaining()) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "' is truncated: " + what + " needs " +
                                        std::to_string(n) + " bytes at offset " + std::to_string(pos_) +
                                        " but the file has " + std::to_string(size_) + " bytes");
        }
        const uint8_t *p = data_ + pos_;
        pos_ += n;
        return p;
    }

    uint32_t u32(const std::string &what) {
        uint32_t v;
        std::memcpy(&v, bytes(4, what), 4);
        return v;
    }

    uint64_t u64(const std::string &what) {
        uint64_t v;
        std::memcpy(&v, bytes(8, what), 8);
        return v;
    }

    std::string_view str(const std::string &what) {
        const uint64_t n = u64(what + " length");
        if (n > remaining()) {
            fail(LM_ERR_BAD_FORMAT, "'" + name_ + "': " + what + " claims a string of " + std::to_string(n) +
                                        " bytes at offset " + std::to_string(pos_) +
                                        ", past the end of the file (" + std::to_string(size_) + " bytes)");
        }
        const uint8_t *p = bytes(n, what);
        return std::string_view(reinterpret_cast<const char *>(p), n);
    }

private:
    const uint8_t *data_;
    uint64_t size_;
    uint64_t pos_ = 0;
    const std::string &name_;
};

}  // namespace lamina
