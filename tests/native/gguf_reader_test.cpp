// The GGUF reader on real files, on files the writer makes, and on broken ones: every broken
// file is a LaminaError naming the problem, never a crash or an out-of-bounds read.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "gguf_layout.h"
#include "test_data.h"

using lamina::GgmlType;
using lamina::GgufFile;
using lamina::GgufWriter;
using lamina::LaminaError;

namespace {

std::vector<uint8_t> small_file() {
    GgufWriter w;
    w.set_string("general.architecture", "llama");
    w.set_u32("llama.block_count", 2);
    w.set_f32("llama.rope.freq_base", 10000.0f);
    w.set_bool("tokenizer.ggml.add_bos_token", true);
    const float data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    w.add_tensor("a.weight", GgmlType::F32, {4, 2}, data, sizeof data);
    w.add_tensor("b.weight", GgmlType::F32, {8}, data, sizeof data);
    return w.serialize();
}

// Parses and returns the error (status, message); fails the test if parsing succeeds.
std::pair<lm_status, std::string> parse_error(const std::vector<uint8_t> &bytes) {
    try {
        GgufFile::parse(bytes.data(), bytes.size(), "broken.gguf");
    } catch (const LaminaError &e) {
        return {e.status(), e.what()};
    }
    ADD_FAILURE() << "parsing a broken file succeeded";
    return {LM_OK, ""};
}

void put_u32(std::vector<uint8_t> &b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }
void put_u64(std::vector<uint8_t> &b, size_t at, uint64_t v) { std::memcpy(b.data() + at, &v, 8); }

size_t find(const std::vector<uint8_t> &b, const std::string &s) {
    auto it = std::search(b.begin(), b.end(), s.begin(), s.end());
    return it == b.end() ? std::string::npos : static_cast<size_t>(it - b.begin());
}

TEST(GgufReader, ReadsWhatTheWriterWrote) {
    const std::vector<uint8_t> bytes = small_file();
    auto f = GgufFile::parse(bytes.data(), bytes.size(), "small.gguf");
    EXPECT_EQ(f->version(), 3u);
    EXPECT_EQ(f->get_string("general.architecture"), "llama");
    EXPECT_EQ(f->get_int("llama.block_count"), 2);
    EXPECT_FLOAT_EQ(static_cast<float>(f->get_float("llama.rope.freq_base")), 10000.0f);
    EXPECT_TRUE(f->get_bool_or("tokenizer.ggml.add_bos_token", false));
    ASSERT_EQ(f->tensors().size(), 2u);
    const lamina::GgufTensorInfo *a = f->find_tensor("a.weight");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->ne[0], 4);
    EXPECT_EQ(a->ne[1], 2);
    EXPECT_EQ(a->n_bytes, 32u);
    EXPECT_EQ(reinterpret_cast<const float *>(a->data)[5], 6.0f);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a->data) % 32, reinterpret_cast<uintptr_t>(bytes.data()) % 32);
    const lamina::GgufTensorInfo *b = f->find_tensor("b.weight");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(reinterpret_cast<const float *>(b->data)[7], 8.0f);
}

TEST(GgufReader, ReadsEverySharedModel) {
    for (const char *name : {"llama2-mha-f32", "llama3-gqa-f16", "llama2-gqa256-q4_k_m", "qwen2-f16",
                             "mixtral-moe-q8_0", "stories260K-f32"}) {
        const std::string path = lamina::testing::require_test_file(std::string("models/") + name + ".gguf");
        ASSERT_FALSE(path.empty());
        auto f = GgufFile::open(path);
        EXPECT_EQ(f->version(), 3u) << name;
        EXPECT_GT(f->tensors().size(), 5u) << name;
        EXPECT_TRUE(f->has("tokenizer.ggml.tokens")) << name;
        const lamina::GgufValue &tokens = f->get_array("tokenizer.ggml.tokens");
        EXPECT_EQ(tokens.strings.size(), tokens.count) << name;
    }
}

TEST(GgufReader, MissingKeyIsNamed) {
    const std::vector<uint8_t> bytes = small_file();
    auto f = GgufFile::parse(bytes.data(), bytes.size(), "small.gguf");
    try {
        f->get_int("llama.context_length");
        FAIL() << "no error for a missing key";
    } catch (const LaminaError &e) {
        EXPECT_EQ(e.status(), LM_ERR_BAD_FORMAT);
        EXPECT_NE(std::string(e.what()).find("llama.context_length"), std::string::npos) << e.what();
    }
    EXPECT_THROW(f->get_int("general.architecture"), LaminaError);  // a string, not an integer
}

TEST(GgufReader, WrongMagic) {
    std::vector<uint8_t> b = small_file();
    std::memcpy(b.data(), "GGML", 4);
    auto [status, msg] = parse_error(b);
    EXPECT_EQ(status, LM_ERR_BAD_FORMAT);
    EXPECT_NE(msg.find("magic"), std::string::npos) << msg;
}

TEST(GgufReader, UnknownVersion) {
    std::vector<uint8_t> b = small_file();
    put_u32(b, 4, 99);
    auto [status, msg] = parse_error(b);
    EXPECT_NE(msg.find("version 99"), std::string::npos) << msg;
}

TEST(GgufReader, TruncatedAnywhere) {
    // Every prefix of the file (header, metadata, tensor infos, data) is an error, not a crash.
    const std::vector<uint8_t> full = small_file();
    for (size_t n = 0; n < full.size(); n += (n < 400 ? 1 : 7)) {
        std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        try {
            GgufFile::parse(cut.data(), cut.size(), "cut.gguf");
            ADD_FAILURE() << "prefix of " << n << " bytes parsed";
        } catch (const LaminaError &e) {
            EXPECT_EQ(e.status(), LM_ERR_BAD_FORMAT) << n << ": " << e.what();
            const std::string msg = e.what();
            EXPECT_TRUE(msg.find("truncated") != std::string::npos || msg.find("past the end") != std::string::npos ||
                        msg.find("magic") != std::string::npos) << n << ": " << msg;
        }
    }
}

TEST(GgufReader, UnknownTensorTypeIsNamed) {
    std::vector<uint8_t> b = small_file();
    // The tensor info of "a.weight": name, n_dims (u32), 2 dims (u64 each), type (u32).
    const size_t at = find(b, "a.weight") + 8 + 4 + 16;
    put_u32(b, at, 77);
    auto [status, msg] = parse_error(b);
    EXPECT_EQ(status, LM_ERR_UNSUPPORTED);
    EXPECT_NE(msg.find("a.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("77"), std::string::npos) << msg;
}

TEST(GgufReader, TensorDataPastEndOfFile) {
    std::vector<uint8_t> b = small_file();
    const size_t at = find(b, "b.weight") + 8 + 4 + 8 + 4;  // offset field of b.weight
    put_u64(b, at, 1u << 20);
    auto [status, msg] = parse_error(b);
    EXPECT_EQ(status, LM_ERR_BAD_FORMAT);
    EXPECT_NE(msg.find("b.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("past the end"), std::string::npos) << msg;
}

// The offset field of tensor `name`'s info (after its name, dimension count, sizes and type).
size_t offset_field(const std::vector<uint8_t> &b, const std::string &name, uint32_t n_dims) {
    return find(b, name) + name.size() + 4 + 8 * n_dims + 4;
}

TEST(GgufReader, TensorsSharingDataAreRejected) {
    std::vector<uint8_t> b = small_file();
    put_u64(b, offset_field(b, "b.weight", 1), 0);  // b.weight aliases a.weight's 32 bytes
    auto [status, msg] = parse_error(b);
    EXPECT_EQ(status, LM_ERR_BAD_FORMAT);
    EXPECT_NE(msg.find("'a.weight'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'b.weight'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("overlaps"), std::string::npos) << msg;
}

TEST(GgufReader, PartlyOverlappingTensorsAreRejectedWithTheirRanges) {
    GgufWriter w;
    w.set_string("general.architecture", "llama");
    const float zeros[16] = {};
    w.add_tensor("a.weight", GgmlType::F32, {16}, zeros, sizeof zeros);  // bytes 0..64 of the data
    w.add_tensor("b.weight", GgmlType::F32, {8}, zeros, 32);
    std::vector<uint8_t> b = w.serialize();
    put_u64(b, offset_field(b, "b.weight", 1), 32);  // starts inside a.weight
    const size_t data = lamina::testing::gguf_layout(b).data_start;
    auto [status, msg] = parse_error(b);
    EXPECT_EQ(status, LM_ERR_BAD_FORMAT);
    const std::string a_range = "'a.weight' (bytes " + std::to_string(data) + ".." + std::to_string(data + 64) + ")";
    const std::string b_range = "'b.weight' (bytes " + std::to_string(data + 32) + ".." + std::to_string(data + 64) + ")";
    EXPECT_NE(msg.find(a_range), std::string::npos) << msg;
    EXPECT_NE(msg.find(b_range), std::string::npos) << msg;
}

TEST(GgufReader, TensorsListedOutOfOffsetOrderAreRead) {
    std::vector<uint8_t> b = small_file();
    put_u64(b, offset_field(b, "a.weight", 2), 32);  // the two swap places in the data section
    put_u64(b, offset_field(b, "b.weight", 1), 0);
    auto f = GgufFile::parse(b.data(), b.size(), "swapped.gguf");
    EXPECT_EQ(f->find_tensor("a.weight")->data, f->find_tensor("b.weight")->data + 32);
}

TEST(GgufReader, AbsurdCountsRejectedBeforeAllocation) {
    std::vector<uint8_t> b = small_file();
    put_u64(b, 8, uint64_t{1} << 40);  // tensor count
    EXPECT_NE(parse_error(b).second.find("tensors"), std::string::npos);
    b = small_file();
    put_u64(b, 16, uint64_t{1} << 40);  // metadata count
    EXPECT_NE(parse_error(b).second.find("metadata"), std::string::npos);
    b = small_file();
    put_u64(b, 24, uint64_t{1} << 62);  // length of the first key
    EXPECT_NE(parse_error(b).second.find("past the end"), std::string::npos);
}

TEST(GgufReader, OverflowingTensorShape) {
    std::vector<uint8_t> b = small_file();
    const size_t dims = find(b, "a.weight") + 8 + 4;
    put_u64(b, dims, uint64_t{1} << 40);
    put_u64(b, dims + 8, uint64_t{1} << 40);
    auto [status, msg] = parse_error(b);
    EXPECT_EQ(status, LM_ERR_BAD_FORMAT);
    EXPECT_NE(msg.find("a.weight"), std::string::npos) << msg;
}

TEST(GgufReader, BadValueType) {
    std::vector<uint8_t> b = small_file();
    const size_t at = find(b, "llama.block_count") + std::string("llama.block_count").size();
    put_u32(b, at, 1234);
    auto [status, msg] = parse_error(b);
    EXPECT_NE(msg.find("llama.block_count"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1234"), std::string::npos) << msg;
}

TEST(GgufReader, MissingFileIsIoError) {
    try {
        GgufFile::open("/nonexistent/dir/model.gguf");
        FAIL();
    } catch (const LaminaError &e) {
        EXPECT_EQ(e.status(), LM_ERR_IO);
        EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/model.gguf"), std::string::npos);
    }
}

}  // namespace
