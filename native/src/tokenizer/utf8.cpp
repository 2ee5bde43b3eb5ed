#include "tokenizer/utf8.h"

#include "common/error.h"

namespace lamina {

namespace {

// Length of the well-formed sequence at `pos`, or 0 if it is ill-formed (Unicode Table 3-7).
size_t well_formed_length(const uint8_t *p, size_t avail) {
    const uint8_t b0 = p[0];
    if (b0 < 0x80) return 1;
    auto cont = [&](size_t i, uint8_t lo, uint8_t hi) { return i < avail && p[i] >= lo && p[i] <= hi; };
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        const uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80;   // no overlongs
        const uint8_t hi = b0 == 0xED ? 0x9F : 0xBF;   // no surrogates
        return cont(1, lo, hi) && cont(2, 0x80, 0xBF) ? 3 : 0;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        const uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80;   // no overlongs
        const uint8_t hi = b0 == 0xF4 ? 0x8F : 0xBF;   // nothing beyond U+10FFFF
        return cont(1, lo, hi) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
    }
    return 0;
}

}  // namespace

void validate_utf8(std::string_view text) {
    const auto *p = reinterpret_cast<const uint8_t *>(text.data());
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {  // ASCII fast path
            ++i;
            continue;
        }
        const size_t len = well_formed_length(p + i, n - i);
        if (len == 0) {
            static const char hex[] = "0123456789ABCDEF";
            std::string byte = "0x";
            byte += hex[p[i] >> 4];
            byte += hex[p[i] & 15];
            fail(LM_ERR_INVALID_ARGUMENT, "invalid UTF-8 in text at byte offset " + std::to_string(i) +
                                              " (byte " + byte + ")");
        }
        i += len;
    }
}

void decode_utf8(std::string_view text, std::vector<uint32_t> &out) {
    const auto *p = reinterpret_cast<const uint8_t *>(text.data());
    const size_t n = text.size();
    out.clear();
    out.reserve(n);
    for (size_t i = 0; i < n;) {
        const size_t len = utf8_sequence_length(p[i]);
        out.push_back(decode_utf8_sequence(text.data() + i, len));
        i += len;
    }
}

std::vector<uint32_t> decode_utf8_lenient(std::string_view text) {
    const auto *p = reinterpret_cast<const uint8_t *>(text.data());
    const size_t n = text.size();
    std::vector<uint32_t> out;
    for (size_t i = 0; i < n;) {
        const size_t len = well_formed_length(p + i, n - i);
        if (len == 0) {
            out.push_back(0xFFFD);
            ++i;
        } else {
            out.push_back(decode_utf8_sequence(text.data() + i, len));
            i += len;
        }
    }
    return out;
}

void append_utf8(std::string &out, uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

}  // namespace lamina
