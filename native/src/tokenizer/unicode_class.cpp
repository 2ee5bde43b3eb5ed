#include "tokenizer/unicode_class.h"

#include <vector>

namespace lamina {

namespace {

constexpr uint32_t kCodepointLimit = 0x110000;

// One byte per code point (1.1 MB), expanded once from the generated ranges: the pre-tokenizer
// asks for the class of every code point of the input, so the lookup must be a plain load.
std::vector<uint8_t> expand_table() {
    std::vector<uint8_t> table(kCodepointLimit, 0);
    for (size_t i = 0; i < unicode_tables::kRangeCount; ++i) {
        const uint32_t begin = unicode_tables::kRanges[i].first;
        const uint32_t end = i + 1 < unicode_tables::kRangeCount ? unicode_tables::kRanges[i + 1].first
                                                                  : kCodepointLimit;
        for (uint32_t cp = begin; cp < end && cp < kCodepointLimit; ++cp) {
            table[cp] = unicode_tables::kRanges[i].flags;
        }
    }
    return table;
}

}  // namespace

CodepointInfo codepoint_info(uint32_t cp) {
    static const std::vector<uint8_t> table = expand_table();
    return cp < kCodepointLimit ? CodepointInfo(table[cp]) : CodepointInfo();
}

}  // namespace lamina
