// Strict UTF-8 decoding for tokenizer input, and encoding of code points.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lamina {

// Throws LaminaError(LM_ERR_INVALID_ARGUMENT) naming the byte offset of the first ill-formed
// sequence (truncated, overlong, surrogate, beyond U+10FFFF or a stray continuation byte).
void validate_utf8(std::string_view text);

// Length in bytes of the UTF-8 sequence starting with `lead` (1 for bytes that cannot start one).
inline size_t utf8_sequence_length(uint8_t lead) {
    if (lead < 0xC0) return 1;
    if (lead < 0xE0) return 2;
    if (lead < 0xF0) return 3;
    return 4;
}

// The code point of the `len`-byte sequence at `p` (already validated).
inline uint32_t decode_utf8_sequence(const char *p, size_t len) {
    const auto *b = reinterpret_cast<const uint8_t *>(p);
    switch (len) {
        case 1: return b[0];
        case 2: return (uint32_t(b[0] & 0x1F) << 6) | (b[1] & 0x3F);
        case 3: return (uint32_t(b[0] & 0x0F) << 12) | (uint32_t(b[1] & 0x3F) << 6) | (b[2] & 0x3F);
        default:
            return (uint32_t(b[0] & 0x07) << 18) | (uint32_t(b[1] & 0x3F) << 12) | (uint32_t(b[2] & 0x3F) << 6) |
                   (b[3] & 0x3F);
    }
}

// Decodes already validated text into code points.
void decode_utf8(std::string_view text, std::vector<uint32_t> &out);

// Decodes text that may be ill-formed (vocabulary entries): each bad byte becomes U+FFFD.
std::vector<uint32_t> decode_utf8_lenient(std::string_view text);

void append_utf8(std::string &out, uint32_t cp);

}  // namespace lamina
