// The grammar matcher: whole strings accepted or rejected, repetition bounds, UTF-8 (multi-byte
// characters, tokens ending mid-character), and the vocabulary-trie mask agreeing with a check of
// every token's text on a real vocabulary.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "sampling/grammar/gbnf_parser.h"
#include "sampling/grammar/grammar_matcher.h"
#include "sampling/grammar/vocab_trie.h"
#include "test_data.h"
#include "tokenizer/tokenizer.h"

namespace {

using lamina::grammar::GrammarMatcher;
using lamina::grammar::parse_gbnf;

bool matches(const std::string &gbnf, const std::string &text) {
    GrammarMatcher m(parse_gbnf(gbnf));
    return m.accept(text) && m.can_end();
}

bool prefix_ok(const std::string &gbnf, const std::string &text) {
    GrammarMatcher m(parse_gbnf(gbnf));
    return m.accept(text);
}

TEST(GrammarMatcher, LiteralsAlternativesAndGroups) {
    const std::string g = "root ::= (\"cat\" | \"dog\") (\"s\")? \"!\"\n";
    EXPECT_TRUE(matches(g, "cat!"));
    EXPECT_TRUE(matches(g, "dogs!"));
    EXPECT_FALSE(matches(g, "cow!"));
    EXPECT_FALSE(matches(g, "cats"));  // a prefix, not complete
    EXPECT_TRUE(prefix_ok(g, "cats"));
    EXPECT_FALSE(prefix_ok(g, "catss"));
}

TEST(GrammarMatcher, RepetitionBounds) {
    const std::string g = "root ::= \"a\"{2,4} \"b\"* \"c\"+ \"d\"{3} \"e\"{1,}\n";
    EXPECT_TRUE(matches(g, "aacddde"));
    EXPECT_TRUE(matches(g, "aaaabbbcccdddeee"));
    EXPECT_FALSE(matches(g, "acddde"));        // one a
    EXPECT_FALSE(matches(g, "aaaaacddde"));    // five a
    EXPECT_FALSE(matches(g, "aaddde"));        // no c
    EXPECT_FALSE(matches(g, "aacdde"));        // two d
    EXPECT_FALSE(matches(g, "aacdddd"));       // four d, no e
    EXPECT_FALSE(matches(g, "aacddd"));        // no e
    EXPECT_TRUE(matches("root ::= [0-9]{0,2}\n", ""));
    EXPECT_FALSE(matches("root ::= [0-9]{0,2}\n", "123"));
}

TEST(GrammarMatcher, CharacterClassesNegationEscapesAndAny) {
    EXPECT_TRUE(matches("root ::= [a-cx]+\n", "abcxa"));
    EXPECT_FALSE(matches("root ::= [a-cx]+\n", "abd"));
    EXPECT_TRUE(matches("root ::= [^\"\\n]* \"\\n\"\n", "say \\ hi\n"));
    EXPECT_FALSE(matches("root ::= [^\"\\n]* \"\\n\"\n", "say \"hi\"\n"));
    EXPECT_TRUE(matches("root ::= \"\\x41\\u00e9\\t\"\n", "A\xC3\xA9\t"));
    EXPECT_TRUE(matches("root ::= . . .\n", "a\xE2\x82\xAC!"));  // three code points, one of three bytes
    EXPECT_FALSE(matches("root ::= . . .\n", "ab"));
}

TEST(GrammarMatcher, MultiByteCharacters) {
    const std::string g = "root ::= [а-я]+ \" \" \"日本\" [\\U0001F600-\\U0001F64F]\n";
    EXPECT_TRUE(matches(g, "привет 日本\xF0\x9F\x98\x80"));
    EXPECT_FALSE(matches(g, "hello 日本\xF0\x9F\x98\x80"));
    EXPECT_FALSE(matches(g, "привет 日本\xF0\x9F\x99\x90"));  // U+1F650, past the range
}

TEST(GrammarMatcher, TokensEndingInTheMiddleOfACharacter) {
    // "é" is C3 A9; "€" is E2 82 AC. Tokens may split them anywhere.
    GrammarMatcher m(parse_gbnf("root ::= \"é\" \"€\"\n"));
    EXPECT_TRUE(m.accept("\xC3"));
    EXPECT_FALSE(m.can_end());
    EXPECT_FALSE(m.can_accept("\xA8"));  // C3 A8 is è
    EXPECT_TRUE(m.accept("\xA9\xE2"));
    EXPECT_TRUE(m.accept("\x82"));
    EXPECT_FALSE(m.can_end());
    EXPECT_TRUE(m.accept("\xAC"));
    EXPECT_TRUE(m.can_end());
    // A lead byte whose every completion is outside the class is rejected at once.
    GrammarMatcher ascii(parse_gbnf("root ::= [a-z]+\n"));
    EXPECT_FALSE(ascii.can_accept("\xC3"));
    // Invalid UTF-8 is never accepted.
    GrammarMatcher any(parse_gbnf("root ::= .+\n"));
    EXPECT_FALSE(any.can_accept("\x80"));
    EXPECT_FALSE(any.can_accept("\xC3 "));
}

TEST(GrammarMatcher, RejectedTextLeavesTheStateAsItWas) {
    GrammarMatcher m(parse_gbnf("root ::= \"ab\" | \"ac\"\n"));
    EXPECT_TRUE(m.accept("a"));
    EXPECT_FALSE(m.accept("x"));
    EXPECT_TRUE(m.accept("c"));
    EXPECT_TRUE(m.can_end());
    m.reset();
    EXPECT_FALSE(m.can_end());
    EXPECT_TRUE(m.accept("ab"));
}

TEST(GrammarMatcher, RecursionAndAmbiguityStayBounded) {
    const std::string g = "root ::= item (\",\" item)*\nitem ::= \"(\" root \")\" | [a-z] | [a-z] [a-z]\n";
    EXPECT_TRUE(matches(g, "a,(b,(cd,e)),f"));
    EXPECT_FALSE(matches(g, "a,(b"));
    GrammarMatcher m(parse_gbnf(g));
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(m.accept("ab,"));
    EXPECT_LE(m.n_stacks(), 4u);  // duplicates are merged
}

// The trie walk against the definition: a token is allowed when its text can come next.
struct Vocab {
    std::unique_ptr<lamina::GgufFile> file;
    std::unique_ptr<lamina::Tokenizer> tokenizer;
};

Vocab load_vocab(const std::string &relative) {
    Vocab v;
    const std::string path = lamina::testing::require_test_file(relative);
    if (path.empty()) return v;
    v.file = lamina::GgufFile::open(path);
    v.tokenizer = lamina::Tokenizer::from_gguf(*v.file);
    return v;
}

void expect_mask_matches_every_token(const lamina::Tokenizer &tok, const std::string &gbnf,
                                     const std::vector<std::string> &prefixes) {
    const lamina::grammar::VocabTrie trie(tok);
    for (const std::string &prefix : prefixes) {
        GrammarMatcher m(parse_gbnf(gbnf));
        ASSERT_TRUE(m.accept(prefix)) << prefix;
        std::vector<uint8_t> allowed;
        m.allowed_tokens(trie, allowed);
        size_t n_allowed = 0;
        for (lm_token t = 0; t < tok.n_vocab(); ++t) {
            bool expect;
            if (tok.is_eog(t)) {
                expect = m.can_end();
            } else {
                const std::string piece = tok.piece(t, false);
                expect = !piece.empty() && piece[0] != '\0' && m.can_accept(piece);
            }
            n_allowed += allowed[static_cast<size_t>(t)];
            ASSERT_EQ(allowed[static_cast<size_t>(t)] != 0, expect)
                << "token " << t << " '" << tok.piece(t, false) << "' after '" << prefix << "'";
        }
        EXPECT_GT(n_allowed, 0u) << prefix;
    }
}

const char *const kJsonish = R"(root ::= "{" ws "\"name\"" ws ":" ws string ws "," ws "\"n\"" ws ":" ws [0-9]+ ws "}"
string ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) )* "\""
ws ::= [ \t\n]{0,3}
)";

TEST(GrammarMask, TrieWalkAgreesWithEveryTokenOnLlama2Vocab) {
    Vocab v = load_vocab("vocab/ggml-vocab-llama-spm.gguf");
    ASSERT_TRUE(v.tokenizer);
    expect_mask_matches_every_token(*v.tokenizer, kJsonish,
                                    {"", "{", "{ \"name\":", "{\"name\": \"ab", "{\"name\": \"a\\", "{\"name\": \"\xC3",
                                     "{\"name\":\"x\",\"n\":4", "{\"name\":\"x\",\"n\":42 }"});
    expect_mask_matches_every_token(*v.tokenizer, "root ::= [а-я ]+ \"!\"\n", {"", "при", "при\xD0", " "});
}

TEST(GrammarMask, TrieWalkAgreesWithEveryTokenOnLlama3Vocab) {
    Vocab v = load_vocab("vocab/ggml-vocab-llama3.gguf");
    ASSERT_TRUE(v.tokenizer);
    expect_mask_matches_every_token(*v.tokenizer, kJsonish, {"", "{\"name\": \"ab", "{\"name\": \"\xE2\x82"});
}

}  // namespace
