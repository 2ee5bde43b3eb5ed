// Conformance with llama.cpp's tokenizer on its own test vocabularies: every input of
// vocab/*.gguf.inp must give exactly the ids of the matching line of *.gguf.out (no BOS,
// special tokens parsed), and the pieces of those ids must give the input back.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "test_data.h"
#include "tokenizer/tokenizer.h"

namespace {

struct VocabCase {
    std::string text;
    std::vector<lm_token> ids;
};

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The *.inp format as llama.cpp's tests/test-tokenizer-0.cpp reads it: inputs are separated by
// "\n__ggml_vocab_test__\n" (the separator owns the newlines around the marker, so an input may
// itself be empty or consist of newlines); the file ends with a separator, which closes the last
// input rather than opening an empty one. Each *.out line holds the ids of one input.
std::vector<VocabCase> read_cases(const std::string &inp_path, const std::string &out_path) {
    const std::string raw = read_file(inp_path);
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

    std::vector<std::vector<lm_token>> outputs;
    std::istringstream out(read_file(out_path));
    for (std::string line; std::getline(out, line);) {
        std::istringstream ids(line);
        std::vector<lm_token> row;
        for (long id; ids >> id;) row.push_back(static_cast<lm_token>(id));
        outputs.push_back(row);
    }

    EXPECT_EQ(inputs.size(), outputs.size()) << inp_path << " and " << out_path << " disagree on the case count";
    std::vector<VocabCase> cases;
    for (size_t i = 0; i < inputs.size() && i < outputs.size(); ++i) cases.push_back({inputs[i], outputs[i]});
    return cases;
}

// The text with control and non-ASCII bytes escaped, for failure messages.
std::string escaped(const std::string &s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else if (c == '"' || c == '\\') out += std::string("\\") + char(c);
        else if (c < 0x20 || c >= 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        } else out += char(c);
    }
    return out + "\"";
}

std::string ids_text(const std::vector<lm_token> &ids) {
    std::string s = "[";
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? " " : "") + std::to_string(ids[i]);
    return s + "]";
}

struct LoadedVocab {
    std::unique_ptr<lamina::GgufFile> file;
    std::unique_ptr<lamina::Tokenizer> tokenizer;
    std::vector<VocabCase> cases;
};

// out_suffix: ".out" (llama.cpp's ids; for the newer vocabularies without special-token
// parsing) or ".special.out" (with it).
LoadedVocab load(const std::string &name, const std::string &out_suffix = ".out") {
    LoadedVocab v;
    const std::string path = lamina::testing::require_test_file("vocab/" + name);
    const std::string inp = lamina::testing::require_test_file("vocab/" + name + ".inp");
    const std::string out = lamina::testing::require_test_file("vocab/" + name + out_suffix);
    if (path.empty() || inp.empty() || out.empty()) return v;
    v.file = lamina::GgufFile::open(path);
    v.tokenizer = lamina::Tokenizer::from_gguf(*v.file);
    v.cases = read_cases(inp, out);
    EXPECT_GT(v.cases.size(), 0u) << name << " has no test cases";
    return v;
}

void expect_conformance(const std::string &name, const std::string &out_suffix = ".out", bool parse_special = true) {
    LoadedVocab v = load(name, out_suffix);
    if (!v.tokenizer) return;
    size_t failures = 0;
    for (const VocabCase &c : v.cases) {
        const std::vector<lm_token> got = v.tokenizer->encode(c.text, /*add_bos=*/false, parse_special);
        if (got != c.ids) {
            ++failures;
            ADD_FAILURE() << name << ": input " << escaped(c.text) << "\n  expected " << ids_text(c.ids)
                          << "\n  got      " << ids_text(got);
        }
    }
    EXPECT_EQ(failures, 0u) << failures << " of " << v.cases.size() << " cases differ";
}

// Concatenated pieces give the input back. `space_prefix`: SentencePiece adds one space in front
// of text that starts the input (add_space_prefix), so a non-empty input comes back with it.
void expect_round_trip(const std::string &name, bool space_prefix) {
    LoadedVocab v = load(name);
    if (!v.tokenizer) return;
    for (const VocabCase &c : v.cases) {
        std::string decoded;
        for (lm_token id : c.ids) decoded += v.tokenizer->piece(id, /*render_special=*/true);
        const std::string expected = space_prefix && !c.text.empty() ? " " + c.text : c.text;
        EXPECT_EQ(escaped(decoded), escaped(expected)) << name << ": pieces of " << ids_text(c.ids);
    }
}

}  // namespace

TEST(TokenizerVocab, LlamaSpmMatchesLlamaCpp) { expect_conformance("ggml-vocab-llama-spm.gguf"); }

TEST(TokenizerVocab, Llama3BpeMatchesLlamaCpp) { expect_conformance("ggml-vocab-llama3.gguf"); }

// The Qwen 2 and DeepSeek V3 files come with both of llama.cpp's modes: `.out` tokenized with
// special tokens as text, `.special.out` with them parsed.
TEST(TokenizerVocab, Qwen2BpeMatchesLlamaCpp) { expect_conformance("ggml-vocab-qwen2.gguf", ".out", false); }

TEST(TokenizerVocab, Qwen2BpeWithSpecialTokensMatchesLlamaCpp) {
    expect_conformance("ggml-vocab-qwen2.gguf", ".special.out", true);
}

TEST(TokenizerVocab, DeepSeekV3BpeMatchesLlamaCpp) { expect_conformance("ggml-vocab-deepseek-v3.gguf", ".out", false); }

TEST(TokenizerVocab, DeepSeekV3BpeWithSpecialTokensMatchesLlamaCpp) {
    expect_conformance("ggml-vocab-deepseek-v3.gguf", ".special.out", true);
}

TEST(TokenizerVocab, LlamaSpmPiecesRoundTrip) { expect_round_trip("ggml-vocab-llama-spm.gguf", true); }

TEST(TokenizerVocab, Llama3BpePiecesRoundTrip) { expect_round_trip("ggml-vocab-llama3.gguf", false); }
