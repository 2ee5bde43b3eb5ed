// Every pre-tokenizer Lamina supports against llama.cpp: the shared byte-level BPE vocabulary
// ggml-vocab-qwen2.gguf relabelled (tokenizer.ggml.pre rewritten, here at test time) to each
// name, tokenizing the shared *.inp inputs and tests/tokenizer-reference/texts.txt, must give
// exactly the ids tests/tokenizer-reference/reference.txt holds (llama.cpp's, made by
// generate.mjs). Also: the general regex matcher against the hand-written splitters that stand
// in for it, and the matcher's limits.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "test_data.h"
#include "tokenizer/pre_regex.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace {

const std::string kReferenceDir = std::string(LAMINA_SOURCE_DIR) + "/tests/tokenizer-reference";

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// llama.cpp's test-tokenizer-0 format: inputs separated by "\n__ggml_vocab_test__\n".
std::vector<std::string> read_inp(const std::string &raw) {
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> inputs;
    for (size_t pos = 0; pos < raw.size();) {
        const size_t next = raw.find(sep, pos);
        if (next == std::string::npos) {
            inputs.push_back(raw.substr(pos));
            break;
        }
        inputs.push_back(raw.substr(pos, next - pos));
        pos = next + sep.size();
    }
    return inputs;
}

// One JSON string literal (the whole line), escapes and surrogate pairs included.
std::string json_string(const std::string &line) {
    std::string out;
    auto hex4 = [&](size_t at) { return uint32_t(std::stoul(line.substr(at, 4), nullptr, 16)); };
    for (size_t i = 1; i + 1 < line.size(); ++i) {
        if (line[i] != '\\') {
            out += line[i];
            continue;
        }
        const char e = line[++i];
        switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u': {
                uint32_t cp = hex4(i + 1);
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && line.compare(i + 1, 2, "\\u") == 0) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(i + 3) - 0xDC00);
                    i += 6;
                }
                lamina::append_utf8(out, cp);
                break;
            }
            default: out += e; break;  // \" \\ \/
        }
    }
    return out;
}

struct Reference {
    std::string header;                    // the "llama.cpp ..." line
    std::vector<std::string> inputs;       // every input, in order
    std::map<std::string, size_t> block_of;  // name -> index into rows
    std::vector<std::vector<std::vector<lm_token>>> rows;  // per block, per input
    std::vector<std::string> unknown;      // names the llama.cpp build refused
    std::string error;                     // why the reference could not be read
};

// reference.txt with the inputs it names (the shared ones from LAMINA_TEST_DATA).
const Reference &reference() {
    static const Reference ref = [] {
        Reference r;
        const std::string path = kReferenceDir + "/reference.txt";
        std::istringstream in(read_file(path));
        if (in.str().empty()) r.error = "cannot read " + path;
        for (std::string line; r.error.empty() && std::getline(in, line);) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream words(line);
            std::string kind;
            words >> kind;
            if (kind == "llama.cpp") {
                r.header = line;
            } else if (kind == "inputs") {
                std::string source;
                size_t count = 0;
                words >> source >> count;
                std::vector<std::string> texts;
                if (source == "texts.txt") {
                    std::istringstream lines(read_file(kReferenceDir + "/texts.txt"));
                    for (std::string t; std::getline(lines, t);) {
                        if (!t.empty() && t[0] == '"') texts.push_back(json_string(t));
                    }
                } else {
                    const std::string file = lamina::testing::require_test_file(source);
                    if (file.empty()) {
                        r.error = "shared input " + source + " is missing";
                        break;
                    }
                    texts = read_inp(read_file(file));
                }
                if (texts.size() != count) {
                    r.error = source + " has " + std::to_string(texts.size()) + " inputs, reference.txt was made with " +
                              std::to_string(count) + ": regenerate it (README.md)";
                }
                r.inputs.insert(r.inputs.end(), texts.begin(), texts.end());
            } else if (kind == "pre") {
                r.rows.emplace_back();
                for (std::string name; words >> name;) r.block_of[name] = r.rows.size() - 1;
            } else if (kind == "unknown") {
                std::string name;
                words >> name;
                r.unknown.push_back(name);
            } else if (kind == "=" || kind == "~") {
                if (r.rows.empty()) {
                    r.error = "ids before the first 'pre' line";
                    break;
                }
                std::vector<std::vector<lm_token>> &block = r.rows.back();
                if (kind == "~") {
                    const size_t i = block.size();
                    if (r.rows.size() < 2 || i >= r.rows[r.rows.size() - 2].size()) {
                        r.error = "'~' with no row above it";
                        break;
                    }
                    block.push_back(r.rows[r.rows.size() - 2][i]);
                } else {
                    std::vector<lm_token> ids;
                    for (long id; words >> id;) ids.push_back(lm_token(id));
                    block.push_back(ids);
                }
            } else {
                r.error = "unexpected line: " + line;
            }
        }
        for (size_t b = 0; r.error.empty() && b < r.rows.size(); ++b) {
            if (r.rows[b].size() != r.inputs.size()) r.error = "a block's row count differs from the input count";
        }
        return r;
    }();
    return ref;
}

// The shared qwen2 vocabulary, read once.
const std::vector<uint8_t> *base_vocab() {
    static const std::unique_ptr<lamina::GgufFile> file = [] {
        const std::string path = lamina::testing::require_test_file("vocab/ggml-vocab-qwen2.gguf");
        return path.empty() ? nullptr : lamina::GgufFile::open(path);
    }();
    if (file == nullptr) return nullptr;
    static const std::vector<uint8_t> bytes = [] {
        lamina::GgufWriter w;
        w.copy_metadata(*file);
        return w.serialize();
    }();
    return &bytes;
}

// The qwen2 vocabulary with tokenizer.ggml.pre = `pre`, built in memory.
std::unique_ptr<lamina::Tokenizer> relabelled_tokenizer(const std::string &pre) {
    const std::vector<uint8_t> *base = base_vocab();
    if (base == nullptr) return nullptr;
    const auto file = lamina::GgufFile::parse(base->data(), base->size(), "ggml-vocab-qwen2.gguf");
    lamina::GgufWriter w;
    w.copy_metadata(*file);
    w.set_string("tokenizer.ggml.pre", pre);
    const std::vector<uint8_t> bytes = w.serialize();
    const auto relabelled = lamina::GgufFile::parse(bytes.data(), bytes.size(), "qwen2 vocabulary as " + pre);
    return lamina::Tokenizer::from_gguf(*relabelled);
}

std::string ids_text(const std::vector<lm_token> &ids) {
    std::string s;
    for (lm_token id : ids) s += (s.empty() ? "" : " ") + std::to_string(id);
    return s;
}

std::string printable(const std::string &text) {
    std::string s;
    for (unsigned char c : text.substr(0, 80)) {
        if (c == '\n') s += "\\n";
        else if (c == '\r') s += "\\r";
        else if (c == '\t') s += "\\t";
        else if (c < 0x20) s += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
        else s += char(c);
    }
    return text.size() > 80 ? s + "..." : s;
}

class PreTokenizerConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(PreTokenizerConformance, MatchesLlamaCpp) {
    const Reference &ref = reference();
    ASSERT_TRUE(ref.error.empty()) << ref.error;
    const std::string &name = GetParam();
    const auto block = ref.block_of.find(name);
    if (block == ref.block_of.end()) {
        for (const std::string &u : ref.unknown) {
            if (u == name) GTEST_SKIP() << "the llama.cpp build reference.txt was made with (" << ref.header
                                        << ") does not know '" << name << "'";
        }
        FAIL() << "reference.txt has no ids for '" << name << "': regenerate it (tests/tokenizer-reference/README.md)";
    }
    const auto tok = relabelled_tokenizer(name);
    ASSERT_NE(tok, nullptr);
    const std::vector<std::vector<lm_token>> &expected = ref.rows[block->second];
    size_t mismatches = 0;
    for (size_t i = 0; i < ref.inputs.size(); ++i) {
        const std::vector<lm_token> ids = tok->encode(ref.inputs[i], /*add_bos=*/false, /*parse_special=*/false);
        if (ids == expected[i]) continue;
        if (++mismatches <= 5) {
            ADD_FAILURE() << "pre-tokenizer '" << name << "', input " << i << " \"" << printable(ref.inputs[i])
                          << "\"\n  llama.cpp: " << ids_text(expected[i]) << "\n  lamina:    " << ids_text(ids);
        }
    }
    EXPECT_EQ(mismatches, 0u) << "of " << ref.inputs.size() << " inputs";
}

std::string test_name(const ::testing::TestParamInfo<std::string> &info) {
    std::string s;
    for (char c : info.param) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return s;
}

INSTANTIATE_TEST_SUITE_P(AllNames, PreTokenizerConformance, ::testing::ValuesIn(lamina::PreTokenizer::names()),
                         test_name);

// Every name of the reference is one Lamina supports: a name dropped from the table shows here.
TEST(PreTokenizerConformanceReference, NamesAreSupported) {
    const Reference &ref = reference();
    ASSERT_TRUE(ref.error.empty()) << ref.error;
    EXPECT_FALSE(ref.header.empty()) << "reference.txt does not say which llama.cpp made it";
    for (const auto &entry : ref.block_of) EXPECT_NO_THROW(lamina::PreTokenizer::for_name(entry.first)) << entry.first;
    EXPECT_EQ(ref.block_of.size() + ref.unknown.size(), lamina::PreTokenizer::names().size());
}

std::vector<size_t> split_lengths(const std::string &text, bool matcher, const std::string &regex) {
    std::vector<uint32_t> cps;
    lamina::decode_utf8(text, cps);
    std::vector<size_t> words;
    if (matcher) lamina::pre_regex_split(regex, cps, words);
    else lamina::PreTokenizer::split_one(regex, cps, words);
    return words;
}

// Where Lamina splits a regex by hand although llama.cpp runs std::regex on it, the hand-written
// code must agree with the matcher (which reproduces std::regex) on every input.
TEST(PreTokenizerConformanceReference, HandWrittenEquivalentsAgreeWithTheMatcher) {
    const Reference &ref = reference();
    ASSERT_TRUE(ref.error.empty()) << ref.error;
    size_t compared = 0;
    for (const std::string &name : lamina::PreTokenizer::names()) {
        for (const std::string &regex : lamina::PreTokenizer::for_name(name).regexes()) {
            if (lamina::PreTokenizer::splitting_of(regex) != lamina::PreTokenizer::Splitting::EquivalentHandWritten) {
                continue;
            }
            ++compared;
            for (size_t i = 0; i < ref.inputs.size(); ++i) {
                ASSERT_EQ(split_lengths(ref.inputs[i], false, regex), split_lengths(ref.inputs[i], true, regex))
                    << "regex " << regex << ", input " << i << " \"" << printable(ref.inputs[i]) << "\"";
            }
        }
    }
    EXPECT_GT(compared, 0u);
}

std::vector<std::string> words_of(const std::string &regex, const std::string &text) {
    std::vector<uint32_t> cps;
    lamina::decode_utf8(text, cps);
    std::vector<size_t> lengths;
    lamina::pre_regex_split(regex, cps, lengths);
    std::vector<std::string> words;
    size_t at = 0;
    for (size_t len : lengths) {
        std::string w;
        for (size_t k = 0; k < len; ++k) lamina::append_utf8(w, cps[at + k]);
        at += len;
        words.push_back(w);
    }
    return words;
}

TEST(PreRegexMatcher, FollowsStdRegexIteration) {
    using V = std::vector<std::string>;
    // Empty matches are pieces of their own, as std::regex_iterator yields them (SuperBPE).
    EXPECT_EQ(words_of("(?=(\\d{3})+(?!\\d))", "1234567"), (V{"1", "", "234", "", "567"}));
    // The first alternative that matches wins, not the longest.
    EXPECT_EQ(words_of("a|ab", "ab"), (V{"a", "b"}));
    // \p{L} is a letter above ASCII or A-Za-z; \s is ASCII whitespace or any Unicode space.
    EXPECT_EQ(words_of("\\p{L}+", "\xC3\xA9t\xC3\xA9 \xCE\xB1" "1"), (V{"\xC3\xA9t\xC3\xA9", " ", "\xCE\xB1", "1"}));
    EXPECT_EQ(words_of("\\s+", "a\xE3\x80\x80\t b"), (V{"a", "\xE3\x80\x80\t ", "b"}));
    // Lookaheads see only the piece; $ is its end.
    EXPECT_EQ(words_of("\\s+$", "a  b  "), (V{"a  b", "  "}));
    // Tekken's "uppercase" is a letter that is not a-z, its "lowercase" one that is not A-Z.
    EXPECT_EQ(words_of("((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+", "XMLHttpRequest"), (V{"XMLHttp", "Request"}));
    // Code points, not bytes, in a regex without categories.
    EXPECT_EQ(words_of("[\xE4\xB8\x80-\xE9\xBE\xA5]+", "a\xE4\xB8\xAD\xE6\x96\x87" "b"),
              (V{"a", "\xE4\xB8\xAD\xE6\x96\x87", "b"}));
}

TEST(PreRegexMatcher, RefusesWhatItDoesNotImplement) {
    for (const char *bad : {"a*?", "\\b", "(a*)*", "(?<=a)b", "\\p{Han}", ".", "[a", "(a", "a{2,1}", "\\1",
                            "\\p{L}\xC3\xA9"}) {
        EXPECT_THROW(lamina::PreRegex{bad}, lamina::LaminaError) << bad;
    }
}

// Matching keeps its state on the heap: a word of a million letters (a repeated group per
// letter in EXAONE MoE's regex) neither overflows the stack nor takes long.
TEST(PreRegexMatcher, LongInputsAreSafe) {
    std::string text;
    for (int i = 0; i < 200000; ++i) text += "ab ";
    for (const char *name : {"exaone-moe", "tekken", "gpt-4o", "bloom", "deepseek-llm", "jais-2"}) {
        std::vector<uint32_t> cps;
        lamina::decode_utf8(text, cps);
        std::vector<size_t> words;
        lamina::PreTokenizer::for_name(name).split(cps, words);
        size_t total = 0;
        for (size_t w : words) total += w;
        EXPECT_EQ(total, cps.size()) << name;
    }
}

}  // namespace
