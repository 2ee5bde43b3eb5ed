// The tokenizer's rules one at a time: pre-tokenizer splits, special tokens, BOS and the
// SentencePiece space prefix, pieces, end-of-generation tokens and the GPT-2 byte mapping.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "test_data.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

using Ids = std::vector<lm_token>;

namespace {

std::unique_ptr<lamina::Tokenizer> open_vocab(const std::string &name) {
    const std::string path = lamina::testing::require_test_file("vocab/" + name);
    if (path.empty()) return nullptr;
    return lamina::Tokenizer::from_gguf(*lamina::GgufFile::open(path));
}

// The words the pre-tokenizer named `pre` splits `text` into.
std::vector<std::string> split(const std::string &pre, const std::string &text) {
    std::vector<uint32_t> cps;
    lamina::decode_utf8(text, cps);
    std::vector<size_t> lengths;
    lamina::PreTokenizer::for_name(pre).split(cps, lengths);
    std::vector<std::string> words;
    size_t at = 0;
    for (size_t len : lengths) {
        std::string w;
        for (size_t i = 0; i < len; ++i) lamina::append_utf8(w, cps[at + i]);
        at += len;
        words.push_back(w);
    }
    EXPECT_EQ(at, cps.size()) << "the words do not cover the text";
    return words;
}

Ids concat(std::initializer_list<Ids> parts) {
    Ids out;
    for (const Ids &p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::string decode(const lamina::Tokenizer &tok, const Ids &ids, bool render_special) {
    std::string s;
    for (lm_token id : ids) s += tok.piece(id, render_special);
    return s;
}

}  // namespace

TEST(TokenizerPreTokenizer, Llama3Regex) {
    using V = std::vector<std::string>;
    EXPECT_EQ(split("llama-bpe", "Hello, y'all! How are you \xF0\x9F\x98\x81 ?"),
              (V{"Hello", ",", " y", "'all", "!", " How", " are", " you", " \xF0\x9F\x98\x81", " ?"}));
    // CJK ideographs are letters; digits go in threes.
    EXPECT_EQ(split("llama-bpe", "\xE6\x88\x91" "apple\xE5\xB7\xA5 1314151"),
              (V{"\xE6\x88\x91" "apple\xE5\xB7\xA5", " ", "131", "415", "1"}));
    // Contractions ignore case; newlines end whitespace runs; trailing spaces stay together.
    EXPECT_EQ(split("llama-bpe", "I'M HE'LL  x\n\n  y   "),
              (V{"I", "'M", " HE", "'LL", " ", " x", "\n\n", " ", " y", "   "}));
    EXPECT_EQ(split("llama-bpe", "a.,;\r\n\tb"), (V{"a", ".,;\r\n", "\tb"}));
}

// CJK Extension I (U+2EBF0..U+2EE5D, Unicode 15.1) is \p{L} like every other ideograph, so it
// joins the letters and contractions around it instead of the punctuation run.
TEST(TokenizerPreTokenizer, Llama3RegexTakesUnicode151LettersAsLetters) {
    using V = std::vector<std::string>;
    const std::string ext_i = "\xF0\xAE\xAF\xB0";  // U+2EBF0
    EXPECT_EQ(split("llama-bpe", "I'm " + ext_i + "'s"), (V{"I", "'m", " " + ext_i, "'s"}));
    EXPECT_EQ(split("llama-bpe", "a" + ext_i + "b,1"), (V{"a" + ext_i + "b", ",", "1"}));
}

TEST(TokenizerPreTokenizer, Gpt2Regex) {
    using V = std::vector<std::string>;
    EXPECT_EQ(split("gpt-2", "Hello world's  123\t\n x"),
              (V{"Hello", " world", "'s", " ", " 123", "\t\n", " x"}));
    // Contractions are case-sensitive here, and digits are not grouped.
    EXPECT_EQ(split("gpt-2", "I'M 1234567"), (V{"I", "'", "M", " 1234567"}));
}

TEST(TokenizerPreTokenizer, DefaultCascade) {
    using V = std::vector<std::string>;
    // Punctuation runs first, then GPT-2, then digit runs, then ASCII digit triples.
    EXPECT_EQ(split("default", "a...b 1234567 x`y"),
              (V{"a", "...", "b", " ", "123", "456", "7", " x", "`", "y"}));
}

TEST(TokenizerPreTokenizer, UnknownNameIsUnsupported) {
    EXPECT_NO_THROW(lamina::PreTokenizer::for_name("llama-bpe"));
    EXPECT_NO_THROW(lamina::PreTokenizer::for_name("default"));
    EXPECT_EQ(&lamina::PreTokenizer::for_name(""), &lamina::PreTokenizer::for_name("default"));
    try {
        lamina::PreTokenizer::for_name("qwen-imaginary");
        FAIL() << "an unknown pre-tokenizer was accepted";
    } catch (const lamina::LaminaError &e) {
        EXPECT_EQ(e.status(), LM_ERR_UNSUPPORTED);
        const std::string message = e.what();
        EXPECT_NE(message.find("'qwen-imaginary'"), std::string::npos) << message;
        // The message lists every supported name.
        for (const std::string &name : lamina::PreTokenizer::names()) {
            const bool listed = message.find(" " + name + ",") != std::string::npos ||
                                message.find(" " + name + ")") != std::string::npos;
            EXPECT_TRUE(listed) << name << " missing from: " << message;
        }
    }
}

TEST(TokenizerBehaviour, GptByteMappingIsABijection) {
    EXPECT_EQ(lamina::byte_to_unicode_utf8(' '), "\xC4\xA0");   // Ġ
    EXPECT_EQ(lamina::byte_to_unicode_utf8('\n'), "\xC4\x8A");  // Ċ
    EXPECT_EQ(lamina::byte_to_unicode_utf8('A'), "A");
    for (int b = 0; b < 256; ++b) {
        std::vector<uint32_t> cps;
        lamina::decode_utf8(lamina::byte_to_unicode_utf8(uint8_t(b)), cps);
        ASSERT_EQ(cps.size(), 1u);
        EXPECT_EQ(lamina::unicode_to_byte(cps[0]), b);
    }
    EXPECT_EQ(lamina::unicode_to_byte(0x2581), -1);
}

TEST(TokenizerBehaviour, Llama3SpecialTokens) {
    auto tok = open_vocab("ggml-vocab-llama3.gguf");
    ASSERT_TRUE(tok);
    EXPECT_EQ(tok->n_vocab(), 128256);
    EXPECT_EQ(tok->bos(), 128000);
    EXPECT_EQ(tok->eos(), 128009);
    EXPECT_EQ(tok->eot(), 128009);  // no eot_token_id: found by its text <|eot_id|>
    EXPECT_TRUE(tok->add_bos());
    EXPECT_TRUE(tok->is_eog(128009));
    EXPECT_TRUE(tok->is_eog(128001));  // <|end_of_text|>
    EXPECT_FALSE(tok->is_eog(128006));
    EXPECT_FALSE(tok->is_eog(9906));

    const std::string chat = "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>";
    const Ids parsed = tok->encode(chat, false, true);
    EXPECT_EQ(parsed, (Ids{128006, 882, 128007, 271, 13347, 128009}));
    EXPECT_EQ(tok->encode(chat, true, true), concat({{128000}, parsed}));

    // Not parsed: the same characters are ordinary text and come back as such.
    const Ids plain = tok->encode(chat, false, false);
    for (lm_token id : plain) EXPECT_LT(id, 128000);
    EXPECT_EQ(decode(*tok, plain, false), chat);
    EXPECT_EQ(decode(*tok, parsed, true), chat);
    EXPECT_EQ(decode(*tok, parsed, false), "user\n\nHi");  // control tokens render as nothing

    // Adjacent, nested-looking and truncated special texts.
    EXPECT_EQ(tok->encode("<|eot_id|><|eot_id|>", false, true), (Ids{128009, 128009}));
    const Ids nested = tok->encode("<<|eot_id|>>", false, true);
    EXPECT_EQ(nested, concat({tok->encode("<", false, false), {128009}, tok->encode(">", false, false)}));
    const Ids truncated = tok->encode("x<|eot_id|", false, true);
    for (lm_token id : truncated) EXPECT_LT(id, 128000);
    EXPECT_EQ(decode(*tok, truncated, true), "x<|eot_id|");

    EXPECT_EQ(tok->piece(220, false), " ");
    EXPECT_EQ(tok->piece(198, false), "\n");
    EXPECT_EQ(tok->encode("", true, true), (Ids{128000}));
    EXPECT_EQ(tok->encode("", false, true), Ids{});
}

TEST(TokenizerBehaviour, SpmSpacePrefixAndSpecials) {
    auto tok = open_vocab("ggml-vocab-llama-spm.gguf");
    ASSERT_TRUE(tok);
    EXPECT_EQ(tok->n_vocab(), 32000);
    EXPECT_EQ(tok->bos(), 1);
    EXPECT_EQ(tok->eos(), 2);
    EXPECT_EQ(tok->eot(), -1);
    EXPECT_TRUE(tok->add_bos());
    EXPECT_TRUE(tok->is_eog(2));
    EXPECT_FALSE(tok->is_eog(1));

    EXPECT_EQ(tok->encode("Hello", false, false), (Ids{15043}));  // "▁Hello": the dummy prefix space
    EXPECT_EQ(tok->encode("Hello", true, false), (Ids{1, 15043}));
    // After a special token the text gets the prefix space again.
    EXPECT_EQ(tok->encode("<s>Hello</s>", false, true), (Ids{1, 15043, 2}));
    EXPECT_EQ(tok->encode("<unk>", false, true), (Ids{0}));
    // Not parsed, "<s>" is text: '<' 's' '>' pieces, no BOS.
    const Ids plain = tok->encode("<s>Hello", false, false);
    for (lm_token id : plain) EXPECT_NE(id, 1);
    EXPECT_EQ(decode(*tok, plain, false), " <s>Hello");

    EXPECT_EQ(tok->piece(1, false), "");
    EXPECT_EQ(tok->piece(1, true), "<s>");
    EXPECT_EQ(tok->piece(0, false), "");
    EXPECT_EQ(tok->piece(0, true), "<unk>");
    EXPECT_EQ(tok->piece(13, false), "\n");   // <0x0A>
    EXPECT_EQ(tok->piece(278, false), " the"); // ▁the

    // A character the vocabulary lacks falls back to its UTF-8 bytes.
    const Ids snowman = tok->encode("\xE2\x98\x83", false, false);
    EXPECT_EQ(decode(*tok, snowman, false), " \xE2\x98\x83");
    EXPECT_EQ(tok->encode("", true, true), (Ids{1}));
    EXPECT_EQ(tok->encode("", false, true), Ids{});
}

// Ids from llama.cpp itself for text with code points new in Unicode 15.1 (CJK Extension I)
// next to letters, digits, punctuation and whitespace; each line's ids were printed by
//   ../shared/reference/llama.cpp/llama-tokenize -m ../shared/vocab/ggml-vocab-llama3.gguf \
//       --ids --no-bos --no-escape --log-disable -p TEXT
TEST(TokenizerBehaviour, Llama3Unicode151LettersMatchLlamaCpp) {
    auto tok = open_vocab("ggml-vocab-llama3.gguf");
    ASSERT_TRUE(tok);
    const std::string first = "\xF0\xAE\xAF\xB0";  // U+2EBF0, the first of Extension I
    const std::string last = "\xF0\xAE\xB9\x9D";   // U+2EE5D, the last
    const struct {
        std::string text;
        Ids ids;
    } cases[] = {
        {"I'm " + first + "'s", {40, 2846, 109697, 106, 107, 108, 596}},
        {first + "'ll", {172, 106, 107, 108, 3358}},
        {"they" + last + "'re here", {20670, 172, 106, 117, 251, 2351, 1618}},
        {"x," + first + ".", {87, 11, 172, 106, 107, 108, 13}},
        {"(" + first + ")", {7, 172, 106, 107, 108, 8}},
        {"a" + first + "b", {64, 172, 106, 107, 108, 65}},
        {"hello " + last + "world", {15339, 109697, 106, 117, 251, 14957}},
        {first + "\n" + first, {172, 106, 107, 108, 198, 172, 106, 107, 108}},
        {"1" + first + "23", {16, 172, 106, 107, 108, 1419}},
        {" " + first + "1234", {109697, 106, 107, 108, 4513, 19}},
        {"\xE4\xB8\xAD" + first + "\xE6\x96\x87", {16325, 172, 106, 107, 108, 17161}},  // 中 · 文
    };
    for (const auto &c : cases) {
        EXPECT_EQ(tok->encode(c.text, false, true), c.ids) << c.text;
    }
}

TEST(TokenizerBehaviour, LargestCodePointAccepted) {
    auto tok = open_vocab("ggml-vocab-llama3.gguf");
    ASSERT_TRUE(tok);
    const std::string text = "x\xF4\x8F\xBF\xBF";  // U+10FFFF
    EXPECT_EQ(decode(*tok, tok->encode(text, false, false), false), text);
}
