// Block layouts: sizes against the type table, and to_float of hand-built blocks whose expected
// values are worked out by hand from the GGUF/ggml layout (byte offsets written out here, not
// computed with the library's own packing code), so a layout error cannot hide behind a
// quantizer/dequantizer pair that agrees with itself.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "cpu/kernels.h"
#include "quant/blocks.h"
#include "quant/ggml_type.h"

namespace lamina {
namespace {

using namespace quant;

constexpr uint16_t kHalfOne = 0x3C00;   // 1.0
constexpr uint16_t kHalfHalf = 0x3800;  // 0.5
constexpr uint16_t kHalfMinusOne = 0xBC00;

template <typename Block>
std::vector<float> decode(GgmlType type, const Block &b, int n) {
    std::vector<float> out(static_cast<size_t>(n), -12345.0f);
    EXPECT_TRUE(cpu::to_float(type, &b, out.data(), n));
    return out;
}

TEST(QuantLayout, BlockSizesMatchTypeTable) {
    struct Row { GgmlType t; size_t size; int64_t block; };
    const Row rows[] = {
        {GgmlType::Q4_0, sizeof(BlockQ4_0), kQK32}, {GgmlType::Q4_1, sizeof(BlockQ4_1), kQK32},
        {GgmlType::Q5_0, sizeof(BlockQ5_0), kQK32}, {GgmlType::Q5_1, sizeof(BlockQ5_1), kQK32},
        {GgmlType::Q8_0, sizeof(BlockQ8_0), kQK32}, {GgmlType::Q8_1, sizeof(BlockQ8_1), kQK32},
        {GgmlType::Q2_K, sizeof(BlockQ2_K), kQK_K}, {GgmlType::Q3_K, sizeof(BlockQ3_K), kQK_K},
        {GgmlType::Q4_K, sizeof(BlockQ4_K), kQK_K}, {GgmlType::Q5_K, sizeof(BlockQ5_K), kQK_K},
        {GgmlType::Q6_K, sizeof(BlockQ6_K), kQK_K}, {GgmlType::Q8_K, sizeof(BlockQ8_K), kQK_K},
    };
    for (const Row &r : rows) {
        const TypeGeometry g = type_geometry(static_cast<uint32_t>(r.t));
        ASSERT_NE(g.name, nullptr);
        EXPECT_EQ(g.type_size, r.size) << g.name;
        EXPECT_EQ(g.block_size, r.block) << g.name;
    }
    // Field offsets that the file format fixes.
    EXPECT_EQ(offsetof(BlockQ2_K, d), 80u);
    EXPECT_EQ(offsetof(BlockQ3_K, scales), 96u);
    EXPECT_EQ(offsetof(BlockQ3_K, d), 108u);
    EXPECT_EQ(offsetof(BlockQ4_K, scales), 4u);
    EXPECT_EQ(offsetof(BlockQ4_K, qs), 16u);
    EXPECT_EQ(offsetof(BlockQ5_K, qh), 16u);
    EXPECT_EQ(offsetof(BlockQ5_K, qs), 48u);
    EXPECT_EQ(offsetof(BlockQ6_K, qh), 128u);
    EXPECT_EQ(offsetof(BlockQ6_K, scales), 192u);
    EXPECT_EQ(offsetof(BlockQ6_K, d), 208u);
    EXPECT_EQ(offsetof(BlockQ8_K, bsums), 260u);
}

TEST(QuantLayout, Q4_0HandBuilt) {
    BlockQ4_0 b{};
    b.d = kHalfHalf;
    std::memset(b.qs, 0x88, sizeof b.qs);  // every element 8 - 8 = 0
    b.qs[0] = 0x1F;                        // element 0: 15-8 = 7; element 16: 1-8 = -7
    b.qs[3] = 0x80;                        // element 3: 0-8 = -8; element 19: 0
    const auto y = decode(GgmlType::Q4_0, b, 32);
    EXPECT_EQ(y[0], 3.5f);
    EXPECT_EQ(y[16], -3.5f);
    EXPECT_EQ(y[3], -4.0f);
    EXPECT_EQ(y[19], 0.0f);
    EXPECT_EQ(y[31], 0.0f);
}

TEST(QuantLayout, Q4_1HandBuilt) {
    BlockQ4_1 b{};
    b.d = kHalfHalf;
    b.m = kHalfMinusOne;
    b.qs[0] = 0x2F;  // element 0: 15*0.5-1 = 6.5; element 16: 2*0.5-1 = 0
    b.qs[15] = 0xF0; // element 15: -1; element 31: 6.5
    const auto y = decode(GgmlType::Q4_1, b, 32);
    EXPECT_EQ(y[0], 6.5f);
    EXPECT_EQ(y[16], 0.0f);
    EXPECT_EQ(y[15], -1.0f);
    EXPECT_EQ(y[31], 6.5f);
    EXPECT_EQ(y[5], -1.0f);
}

TEST(QuantLayout, Q5_0HandBuilt) {
    BlockQ5_0 b{};
    b.d = kHalfOne;
    b.qs[1] = 0x3F;  // element 1 low nibble 15, element 17 low nibble 3
    b.qh[2] = 0x02;  // bit 17 -> element 17 gets +16
    b.qh[3] = 0x80;  // bit 31 -> element 31 gets +16
    const auto y = decode(GgmlType::Q5_0, b, 32);
    EXPECT_EQ(y[1], -1.0f);   // 15 - 16
    EXPECT_EQ(y[17], 3.0f);   // 19 - 16
    EXPECT_EQ(y[31], 0.0f);   // 16 - 16
    EXPECT_EQ(y[0], -16.0f);  // 0 - 16
}

TEST(QuantLayout, Q5_1HandBuilt) {
    BlockQ5_1 b{};
    b.d = kHalfHalf;
    b.m = kHalfOne;
    b.qs[0] = 0x04;  // element 0 low 4, element 16 low 0
    b.qh[0] = 0x01;  // element 0 +16 -> 20
    b.qh[2] = 0x01;  // element 16 +16 -> 16
    const auto y = decode(GgmlType::Q5_1, b, 32);
    EXPECT_EQ(y[0], 11.0f);  // 20*0.5 + 1
    EXPECT_EQ(y[16], 9.0f);  // 16*0.5 + 1
    EXPECT_EQ(y[1], 1.0f);
}

TEST(QuantLayout, Q8_0HandBuilt) {
    BlockQ8_0 b{};
    b.d = kHalfHalf;
    b.qs[5] = -100;
    b.qs[31] = 127;
    const auto y = decode(GgmlType::Q8_0, b, 32);
    EXPECT_EQ(y[5], -50.0f);
    EXPECT_EQ(y[31], 63.5f);
    EXPECT_EQ(y[0], 0.0f);
}

TEST(QuantLayout, Q2_KHandBuilt) {
    BlockQ2_K b{};
    b.d = kHalfOne;
    b.dmin = kHalfOne;
    b.scales[0] = 0x12;   // sub-block 0: scale 2, min 1
    b.scales[6] = 0x03;   // sub-block 6: scale 3, min 0
    b.scales[12] = 0x51;  // sub-block 12: scale 1, min 5
    b.qs[0] = 0x03;       // bits 0-1 of qs[0]: element 0, q = 3
    b.qs[2] = 0x40;       // bits 6-7 of qs[2]: element 96 + 2 = 98, q = 1
    b.qs[33] = 0x30;      // bits 4-5 of qs[32 + 1]: element 128 + 64 + 1 = 193, q = 3
    const auto y = decode(GgmlType::Q2_K, b, 256);
    EXPECT_EQ(y[0], 5.0f);     // 2*3 - 1
    EXPECT_EQ(y[1], -1.0f);    // 2*0 - 1
    EXPECT_EQ(y[98], 3.0f);    // 3*1 - 0
    EXPECT_EQ(y[193], -2.0f);  // 1*3 - 5
    EXPECT_EQ(y[200], -5.0f);  // sub-block 12, q = 0
}

TEST(QuantLayout, Q3_KHandBuilt) {
    BlockQ3_K b{};
    b.d = kHalfOne;
    // Sub-block 0 scale 33 (-> +1): low nibble 1 in scales[0], high bits 2 in scales[8] bits 0-1.
    // Sub-block 9 scale 30 (-> -2): low 14 in the high nibble of scales[1], high bits 1 in
    // scales[9] bits 4-5. Every other sub-block scale is 0 (-> -32).
    b.scales[0] = 0x01;
    b.scales[8] = 0x02;
    b.scales[1] = 0xE0;
    b.scales[9] = 0x10;
    b.qs[0] = 0x02;     // element 0 low bits 2
    b.hmask[0] = 0x01;  // element 0 high bit (bit 0 of hmask[0]) -> q = 6
    b.qs[54] = 0x01;    // element 128 + 22 = 150 low bits 1
    b.hmask[22] = 0x10; // element 150 = 32*4 + 22 -> bit 4 of hmask[22] -> q = 5
    const auto y = decode(GgmlType::Q3_K, b, 256);
    EXPECT_EQ(y[0], 2.0f);     // 1 * (6 - 4)
    EXPECT_EQ(y[1], -4.0f);    // 1 * (0 - 4)
    EXPECT_EQ(y[150], -2.0f);  // -2 * (5 - 4)
    EXPECT_EQ(y[20], 128.0f);  // -32 * (0 - 4)
}

TEST(QuantLayout, Q4_KHandBuilt) {
    BlockQ4_K b{};
    b.d = kHalfOne;
    b.dmin = kHalfHalf;
    b.scales[0] = 3;     // sub-block 0 scale 3
    b.scales[4] = 2;     // sub-block 0 min 2
    // Sub-block 5: scale 19 = 0b01'0011, min 33 = 0b10'0001: low nibbles in scales[9], high
    // bits in the top two bits of scales[1] (scale) and scales[5] (min).
    b.scales[9] = 0x13;
    b.scales[1] = 0x40;
    b.scales[5] = 0x80;
    b.qs[0] = 0x05;   // element 0 (chunk 0, low nibble) q = 5
    b.qs[71] = 0xA0;  // element 128 + 32 + 7 = 167 (chunk 2, high nibble) q = 10
    const auto y = decode(GgmlType::Q4_K, b, 256);
    EXPECT_EQ(y[0], 14.0f);      // 3*5 - 0.5*2
    EXPECT_EQ(y[1], -1.0f);      // 3*0 - 0.5*2
    EXPECT_EQ(y[167], 173.5f);   // 19*10 - 0.5*33
    EXPECT_EQ(y[40], 0.0f);      // sub-block 1: scale 0, min 0
}

TEST(QuantLayout, Q5_KHandBuilt) {
    BlockQ5_K b{};
    b.d = kHalfOne;
    b.dmin = kHalfHalf;
    b.scales[0] = 3;
    b.scales[4] = 2;
    b.scales[9] = 0x13;
    b.scales[1] = 0x40;
    b.scales[5] = 0x80;
    b.qs[0] = 0x05;
    b.qs[71] = 0xA0;
    b.qh[7] = 0x20;  // element 167 = 32*5 + 7: bit 5 of qh[7] -> q = 26
    b.qh[0] = 0x02;  // element 32 = 32*1 + 0: bit 1 of qh[0] -> q = 16 (sub-block 1: 0*16 - 0)
    const auto y = decode(GgmlType::Q5_K, b, 256);
    EXPECT_EQ(y[0], 14.0f);
    EXPECT_EQ(y[167], 477.5f);  // 19*26 - 16.5
    EXPECT_EQ(y[32], 0.0f);
}

TEST(QuantLayout, Q6_KHandBuilt) {
    BlockQ6_K b{};
    b.d = kHalfHalf;
    b.scales[0] = 2;
    b.scales[13] = -3;
    b.ql[0] = 0x07;   // element 0 low bits 7
    b.qh[0] = 0x02;   // element 0 high bits 2 -> q = 39
    // Element 210 = 128 + 64 + 18: half 1, quarter 2 -> high nibble of ql[64 + 18], bits 4-5 of
    // qh[32 + 18].
    b.ql[82] = 0x90;
    b.qh[50] = 0x30;  // q = 9 | 3 << 4 = 57
    b.ql[37] = 0x0F;  // element 32 + 5 = 37 (quarter 1 of half 0) low bits 15
    b.qh[5] = 0x0C;   // element 37 high bits 3 -> q = 63
    b.scales[2] = 1;  // sub-block 2 (elements 32..47)
    const auto y = decode(GgmlType::Q6_K, b, 256);
    EXPECT_EQ(y[0], 7.0f);      // 0.5*2*(39-32)
    EXPECT_EQ(y[1], -32.0f);    // 0.5*2*(0-32)
    EXPECT_EQ(y[210], -37.5f);  // 0.5*-3*(57-32)
    EXPECT_EQ(y[37], 15.5f);    // 0.5*1*(63-32)
    EXPECT_EQ(y[165], 0.0f);    // sub-block 10 has scale 0
}

}  // namespace
}  // namespace lamina
