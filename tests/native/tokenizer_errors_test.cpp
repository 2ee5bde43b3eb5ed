// Bad input to the tokenizer is a LaminaError with the right status and a message naming the
// problem, never a crash: invalid UTF-8, ids out of range, unknown models and pre-tokenizers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "test_data.h"
#include "tokenizer/tokenizer.h"

using lamina::LaminaError;

namespace {

// A minimal GGUF v3 writer for metadata-only vocabularies, so the tests control every key.
class VocabFileBuilder {
public:
    void string(const std::string &key, const std::string &value) {
        header(key, 8);
        put_string(value);
        ++n_kv_;
    }
    void strings(const std::string &key, const std::vector<std::string> &values) {
        header(key, 9);
        put_u32(8);
        put_u64(values.size());
        for (const std::string &v : values) put_string(v);
        ++n_kv_;
    }
    void i32s(const std::string &key, const std::vector<int32_t> &values) {
        header(key, 9);
        put_u32(5);
        put_u64(values.size());
        for (int32_t v : values) put_u32(static_cast<uint32_t>(v));
        ++n_kv_;
    }
    void u32(const std::string &key, uint32_t value) {
        header(key, 4);
        put_u32(value);
        ++n_kv_;
    }
    std::vector<uint8_t> bytes() const {
        std::vector<uint8_t> out;
        auto raw = [&](const void *p, size_t n) {
            out.insert(out.end(), static_cast<const uint8_t *>(p), static_cast<const uint8_t *>(p) + n);
        };
        const uint32_t version = 3;
        const uint64_t n_tensors = 0;
        raw("GGUF", 4);
        raw(&version, 4);
        raw(&n_tensors, 8);
        raw(&n_kv_, 8);
        out.insert(out.end(), body_.begin(), body_.end());
        return out;
    }

private:
    void header(const std::string &key, uint32_t type) {
        put_string(key);
        put_u32(type);
    }
    void put_u32(uint32_t v) { body_.insert(body_.end(), reinterpret_cast<uint8_t *>(&v), reinterpret_cast<uint8_t *>(&v) + 4); }
    void put_u64(uint64_t v) { body_.insert(body_.end(), reinterpret_cast<uint8_t *>(&v), reinterpret_cast<uint8_t *>(&v) + 8); }
    void put_string(const std::string &s) {
        put_u64(s.size());
        body_.insert(body_.end(), s.begin(), s.end());
    }
    std::vector<uint8_t> body_;
    uint64_t n_kv_ = 0;
};

// A byte-level BPE vocabulary of a few tokens: "a", "b", "ab" and an end token.
VocabFileBuilder tiny_bpe(const std::string &pre) {
    VocabFileBuilder b;
    b.string("tokenizer.ggml.model", "gpt2");
    b.string("tokenizer.ggml.pre", pre);
    b.strings("tokenizer.ggml.tokens", {"a", "b", "ab", "<|endoftext|>"});
    b.i32s("tokenizer.ggml.token_type", {1, 1, 1, 3});
    b.strings("tokenizer.ggml.merges", {"a b"});
    return b;
}

template <typename F>
LaminaError expect_error(F &&f) {
    try {
        f();
    } catch (const LaminaError &e) {
        return e;
    }
    ADD_FAILURE() << "no LaminaError was thrown";
    return LaminaError(LM_OK, "");
}

std::unique_ptr<lamina::Tokenizer> open_vocab(const std::string &name) {
    const std::string path = lamina::testing::require_test_file("vocab/" + name);
    if (path.empty()) return nullptr;
    return lamina::Tokenizer::from_gguf(*lamina::GgufFile::open(path));
}

const char *const kVocabs[] = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-llama3.gguf"};

}  // namespace

TEST(TokenizerErrors, InvalidUtf8NamesTheByteOffset) {
    for (const char *name : kVocabs) {
        SCOPED_TRACE(name);
        const auto tok = open_vocab(name);
        ASSERT_TRUE(tok);
        struct Bad {
            std::string text;
            size_t offset;
        };
        const Bad cases[] = {
            {"abc\xFF" "def", 3},          // never valid
            {"ok \xC3", 3},               // truncated 2-byte sequence
            {"\xE2\x82", 0},              // truncated 3-byte sequence
            {"x\x80", 1},                 // stray continuation byte
            {"\xC0\xAF", 0},              // overlong '/'
            {"12\xED\xA0\x80", 2},        // UTF-16 surrogate
            {"\xF4\x90\x80\x80", 0},      // beyond U+10FFFF
            {"h\xC3\xA9llo \xE2\x28\xA1", 7},  // valid é, then a broken sequence
        };
        for (const Bad &b : cases) {
            for (bool special : {false, true}) {
                const LaminaError e = expect_error([&] { tok->encode(b.text, true, special); });
                EXPECT_EQ(e.status(), LM_ERR_INVALID_ARGUMENT);
                EXPECT_NE(std::string(e.what()).find("offset " + std::to_string(b.offset)), std::string::npos)
                    << e.what();
            }
        }
        // Valid multi-byte text of every length still works.
        EXPECT_FALSE(tok->encode("\xC3\xA9\xE2\x82\xAC\xF0\x9F\xA6\x99", false, false).empty());
    }
}

TEST(TokenizerErrors, IdOutOfRange) {
    for (const char *name : kVocabs) {
        SCOPED_TRACE(name);
        const auto tok = open_vocab(name);
        ASSERT_TRUE(tok);
        for (lm_token id : {-1, tok->n_vocab(), tok->n_vocab() + 1000, INT32_MIN}) {
            for (bool special : {false, true}) {
                const LaminaError e = expect_error([&] { tok->piece(id, special); });
                EXPECT_EQ(e.status(), LM_ERR_INVALID_ARGUMENT);
                EXPECT_NE(std::string(e.what()).find(std::to_string(id)), std::string::npos) << e.what();
            }
        }
        EXPECT_NO_THROW(tok->piece(tok->n_vocab() - 1, false));
        EXPECT_FALSE(tok->is_eog(-1));
        EXPECT_FALSE(tok->is_eog(tok->n_vocab()));
    }
}

TEST(TokenizerErrors, UnknownPreTokenizerIsNamed) {
    const std::vector<uint8_t> bytes = tiny_bpe("no-such-pretokenizer").bytes();
    auto file = lamina::GgufFile::parse(bytes.data(), bytes.size(), "tiny.gguf");
    const LaminaError e = expect_error([&] { lamina::Tokenizer::from_gguf(*file); });
    EXPECT_EQ(e.status(), LM_ERR_UNSUPPORTED);
    EXPECT_NE(std::string(e.what()).find("no-such-pretokenizer"), std::string::npos) << e.what();
}

TEST(TokenizerErrors, UnknownPreTokenizerInARealVocabulary) {
    // The Llama 3 vocabulary with its pre-tokenizer name patched to an unknown one of the same
    // length ("llama-bpe" -> "llama-xyz").
    const std::string path = lamina::testing::require_test_file("vocab/ggml-vocab-llama3.gguf");
    ASSERT_FALSE(path.empty());
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string key = "tokenizer.ggml.pre";
    auto at = std::search(bytes.begin(), bytes.end(), key.begin(), key.end());
    ASSERT_NE(at, bytes.end());
    // key, u32 type (string), u64 length, value
    const size_t value = static_cast<size_t>(at - bytes.begin()) + key.size() + 4 + 8;
    ASSERT_EQ(std::string(bytes.begin() + value, bytes.begin() + value + 9), "llama-bpe");
    std::memcpy(bytes.data() + value, "llama-xyz", 9);
    auto file = lamina::GgufFile::parse(bytes.data(), bytes.size(), "patched.gguf");
    const LaminaError e = expect_error([&] { lamina::Tokenizer::from_gguf(*file); });
    EXPECT_EQ(e.status(), LM_ERR_UNSUPPORTED);
    EXPECT_NE(std::string(e.what()).find("llama-xyz"), std::string::npos) << e.what();
}

TEST(TokenizerErrors, UnknownModelIsNamed) {
    VocabFileBuilder b;
    b.string("tokenizer.ggml.model", "wordpiece-9000");
    b.strings("tokenizer.ggml.tokens", {"a"});
    const std::vector<uint8_t> bytes = b.bytes();
    auto file = lamina::GgufFile::parse(bytes.data(), bytes.size(), "tiny.gguf");
    const LaminaError e = expect_error([&] { lamina::Tokenizer::from_gguf(*file); });
    EXPECT_EQ(e.status(), LM_ERR_UNSUPPORTED);
    EXPECT_NE(std::string(e.what()).find("wordpiece-9000"), std::string::npos) << e.what();
}

TEST(TokenizerErrors, MissingOrMalformedKeysAreNamed) {
    {
        VocabFileBuilder b;  // no tokenizer.ggml.model
        b.strings("tokenizer.ggml.tokens", {"a"});
        const std::vector<uint8_t> bytes = b.bytes();
        auto file = lamina::GgufFile::parse(bytes.data(), bytes.size(), "tiny.gguf");
        const LaminaError e = expect_error([&] { lamina::Tokenizer::from_gguf(*file); });
        EXPECT_NE(std::string(e.what()).find("tokenizer.ggml.model"), std::string::npos) << e.what();
    }
    {
        VocabFileBuilder b;  // gpt2 without merges
        b.string("tokenizer.ggml.model", "gpt2");
        b.strings("tokenizer.ggml.tokens", {"a", "b"});
        const std::vector<uint8_t> bytes = b.bytes();
        auto file = lamina::GgufFile::parse(bytes.data(), bytes.size(), "tiny.gguf");
        const LaminaError e = expect_error([&] { lamina::Tokenizer::from_gguf(*file); });
        EXPECT_NE(std::string(e.what()).find("tokenizer.ggml.merges"), std::string::npos) << e.what();
    }
    {
        VocabFileBuilder b;  // token types shorter than the token list
        b.string("tokenizer.ggml.model", "llama");
        b.strings("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>"});
        b.i32s("tokenizer.ggml.token_type", {2, 3});
        const std::vector<uint8_t> bytes = b.bytes();
        auto file = lamina::GgufFile::parse(bytes.data(), bytes.size(), "tiny.gguf");
        const LaminaError e = expect_error([&] { lamina::Tokenizer::from_gguf(*file); });
        EXPECT_EQ(e.status(), LM_ERR_BAD_FORMAT);
        EXPECT_NE(std::string(e.what()).find("tokenizer.ggml.token_type"), std::string::npos) << e.what();
    }
    {
        VocabFileBuilder b;  // the same text twice
        b.string("tokenizer.ggml.model", "llama");
        b.strings("tokenizer.ggml.tokens", {"<unk>", "<s>", "</s>", "x", "x"});
        const std::vector<uint8_t> bytes = b.bytes();
        auto file = lamina::GgufFile::parse(bytes.data(), bytes.size(), "tiny.gguf");
        const LaminaError e = expect_error([&] { lamina::Tokenizer::from_gguf(*file); });
        EXPECT_EQ(e.status(), LM_ERR_BAD_FORMAT);
        EXPECT_NE(std::string(e.what()).find("'x' twice"), std::string::npos) << e.what();
    }
}

TEST(TokenizerErrors, TinyVocabularyStillWorks) {
    // The builder above makes usable files too: the error tests are not failing for its sake.
    const std::vector<uint8_t> bytes = tiny_bpe("gpt-2").bytes();
    auto file = lamina::GgufFile::parse(bytes.data(), bytes.size(), "tiny.gguf");
    auto tok = lamina::Tokenizer::from_gguf(*file);
    EXPECT_EQ(tok->encode("abab", false, false), (std::vector<lm_token>{2, 2}));
    EXPECT_EQ(tok->encode("ab<|endoftext|>", false, true), (std::vector<lm_token>{2, 3}));
    EXPECT_EQ(tok->eos(), -1);  // llama.cpp's gpt2 default (11) lies outside this vocabulary
    EXPECT_EQ(tok->eot(), 3);   // found by its text, as llama.cpp does
    EXPECT_TRUE(tok->is_eog(3));
    EXPECT_FALSE(tok->add_bos());
}
