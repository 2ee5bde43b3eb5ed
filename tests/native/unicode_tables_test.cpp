// The generated Unicode tables: the Unicode version llama.cpp's tokenizer tables use (15.1.0),
// and the classes of code points whose class changed with that version. A code point
// classified differently from llama.cpp's tables splits differently and gets other ids.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "tokenizer/unicode_class.h"

namespace lamina {
// Failure messages show the class as the number unicode_class.h gives it, not as a raw byte.
void PrintTo(UnicodeClass c, std::ostream *os) { *os << static_cast<int>(c); }
}  // namespace lamina

using lamina::UnicodeClass;
using lamina::codepoint_info;

namespace {

std::string hex(uint32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", cp);
    return buf;
}

void expect_class(uint32_t first, uint32_t last, UnicodeClass expected) {
    for (uint32_t cp = first; cp <= last; ++cp) {
        ASSERT_EQ(codepoint_info(cp).cls(), expected) << hex(cp);
    }
}

}  // namespace

TEST(UnicodeTables, VersionIsTheOneLlamaCppUses) {
    EXPECT_STREQ(lamina::unicode_tables::kUnicodeVersion, "15.1.0");
    EXPECT_NE(std::string(lamina::unicode_tables::kSourcePackage).find("15.1.0"), std::string::npos)
        << lamina::unicode_tables::kSourcePackage;
}

TEST(UnicodeTables, RangesAreSortedAndCoverEveryCodePoint) {
    ASSERT_GT(lamina::unicode_tables::kRangeCount, 0u);
    EXPECT_EQ(lamina::unicode_tables::kRanges[0].first, 0u);
    for (size_t i = 0; i < lamina::unicode_tables::kRangeCount; ++i) {
        const lamina::CodepointRange &r = lamina::unicode_tables::kRanges[i];
        EXPECT_LT(r.first, 0x110000u) << "range " << i;
        if (i > 0) {
            const lamina::CodepointRange &prev = lamina::unicode_tables::kRanges[i - 1];
            EXPECT_LT(prev.first, r.first) << "range " << i;
            EXPECT_NE(prev.flags, r.flags) << "ranges " << i - 1 << " and " << i << " could be one";
        }
    }
}

// Unicode 15.1 added CJK Unified Ideographs Extension I (Lo) and the code points around it stay
// unassigned.
TEST(UnicodeTables, CjkExtensionIIsLetters) {
    expect_class(0x2EBF0, 0x2EE5D, UnicodeClass::Letter);
    EXPECT_EQ(codepoint_info(0x2EBEF).cls(), UnicodeClass::Undefined);
    EXPECT_EQ(codepoint_info(0x2EE5E).cls(), UnicodeClass::Undefined);
    EXPECT_FALSE(codepoint_info(0x2EC00).is_whitespace());
}

// The other Unicode 15.1 additions: ideographic description characters and a CJK stroke (So).
TEST(UnicodeTables, Unicode151SymbolsAreSymbols) {
    expect_class(0x2FFC, 0x2FFF, UnicodeClass::Symbol);
    EXPECT_EQ(codepoint_info(0x31EF).cls(), UnicodeClass::Symbol);
    // Neighbours that were there before.
    EXPECT_EQ(codepoint_info(0x2FFB).cls(), UnicodeClass::Symbol);
    EXPECT_EQ(codepoint_info(0x31E3).cls(), UnicodeClass::Symbol);
}

TEST(UnicodeTables, ClassesOfLongStandingCodePoints) {
    EXPECT_EQ(codepoint_info('a').cls(), UnicodeClass::Letter);
    EXPECT_EQ(codepoint_info(0x4E2D).cls(), UnicodeClass::Letter);  // 中
    EXPECT_EQ(codepoint_info('7').cls(), UnicodeClass::Number);
    EXPECT_EQ(codepoint_info(0x2167).cls(), UnicodeClass::Number);  // Ⅷ (Nl)
    EXPECT_EQ(codepoint_info(0x0301).cls(), UnicodeClass::Mark);
    EXPECT_EQ(codepoint_info(',').cls(), UnicodeClass::Punctuation);
    EXPECT_EQ(codepoint_info('+').cls(), UnicodeClass::Symbol);
    EXPECT_EQ(codepoint_info(0x3000).cls(), UnicodeClass::Separator);
    EXPECT_EQ(codepoint_info(0x200B).cls(), UnicodeClass::Control);   // Cf
    EXPECT_EQ(codepoint_info(0xD800).cls(), UnicodeClass::Control);   // Cs
    EXPECT_EQ(codepoint_info(0xE000).cls(), UnicodeClass::Control);   // Co
    EXPECT_EQ(codepoint_info(0xFFFE).cls(), UnicodeClass::Undefined);  // noncharacter
    EXPECT_EQ(codepoint_info(0x110000).cls(), UnicodeClass::Undefined);
}

// White_Space is exactly these 25 code points.
TEST(UnicodeTables, WhitespaceIsTheWhiteSpaceProperty) {
    std::vector<bool> expected(0x110000, false);
    for (uint32_t cp : {0x20u, 0x85u, 0xA0u, 0x1680u, 0x2028u, 0x2029u, 0x202Fu, 0x205Fu, 0x3000u}) {
        expected[cp] = true;
    }
    for (uint32_t cp = 0x09; cp <= 0x0D; ++cp) expected[cp] = true;
    for (uint32_t cp = 0x2000; cp <= 0x200A; ++cp) expected[cp] = true;
    for (uint32_t cp = 0; cp < 0x110000; ++cp) {
        ASSERT_EQ(codepoint_info(cp).is_whitespace(), expected[cp]) << hex(cp);
    }
}
