// Reading numeric array elements as another numeric type (GgufValue::elem_i64 / elem_f64), as
// the vocabulary does for tokenizer.ggml.token_type, which files may store in any numeric type.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

namespace {

// Float elements with no int64 value must read as a defined integer (converting them is
// undefined behaviour, which a fuzzed token_type array reached), not whatever the CPU makes.
TEST(GgufArrayElements, FloatElementsOutsideInt64SaturateAndNanReadsAsZero) {
    const std::vector<float> values = {std::nanf(""), 1e30f, -1e30f, INFINITY, -INFINITY, 3.75f, -2.5f};
    lamina::GgufValue array;
    array.type = lamina::GgufValueType::ARRAY;
    array.elem_type = lamina::GgufValueType::FLOAT32;
    array.count = values.size();
    array.elems = reinterpret_cast<const uint8_t *>(values.data());
    lamina::GgufWriter w;
    w.set_value("test.values", array);
    const std::vector<uint8_t> bytes = w.serialize();
    const auto file = lamina::GgufFile::parse(bytes.data(), bytes.size(), "float-array");
    const lamina::GgufValue &read = file->get_array("test.values");
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max(), kMin = std::numeric_limits<int64_t>::min();
    EXPECT_EQ(read.elem_i64(0), 0);
    EXPECT_EQ(read.elem_i64(1), kMax);
    EXPECT_EQ(read.elem_i64(2), kMin);
    EXPECT_EQ(read.elem_i64(3), kMax);
    EXPECT_EQ(read.elem_i64(4), kMin);
    EXPECT_EQ(read.elem_i64(5), 3);
    EXPECT_EQ(read.elem_i64(6), -2);
}

}  // namespace
