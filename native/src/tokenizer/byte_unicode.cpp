#include "tokenizer/byte_unicode.h"

#include <array>

#include "tokenizer/utf8.h"

namespace lamina {

namespace {

bool maps_to_itself(int byte) {
    return (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

struct ByteTables {
    std::array<uint32_t, 256> cp_of_byte{};
    std::array<std::string, 256> utf8_of_byte;
    std::array<int16_t, 256 + 68> byte_of_cp{};  // -1 where a code point stands for no byte

    ByteTables() {
        byte_of_cp.fill(-1);
        uint32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            cp_of_byte[b] = maps_to_itself(b) ? uint32_t(b) : next++;
            append_utf8(utf8_of_byte[b], cp_of_byte[b]);
            byte_of_cp[cp_of_byte[b]] = int16_t(b);
        }
    }
};

const ByteTables &tables() {
    static const ByteTables t;
    return t;
}

}  // namespace

const std::string &byte_to_unicode_utf8(uint8_t byte) { return tables().utf8_of_byte[byte]; }

int unicode_to_byte(uint32_t cp) {
    const auto &t = tables();
    return cp < t.byte_of_cp.size() ? t.byte_of_cp[cp] : -1;
}

}  // namespace lamina
