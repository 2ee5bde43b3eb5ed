// SHA-256 (FIPS 180-4), for verifying model files against a published digest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lamina {

class Sha256 {
public:
    Sha256();
    void update(const void *data, size_t n);
    // The digest as 64 lowercase hex digits; the object is spent afterwards.
    std::string hex_digest();

private:
    void block(const uint8_t *p);
    uint32_t h_[8];
    uint8_t buf_[64];
    size_t buf_len_ = 0;
    uint64_t total_ = 0;
};

// The SHA-256 of a whole file. Throws LaminaError(LM_ERR_IO) naming the path.
std::string file_sha256(const std::string &path);

}  // namespace lamina
