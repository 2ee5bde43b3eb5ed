// The prompts of the golden files tokenized as llama.cpp tokenized them when it produced the
// golden logits: BOS (when the vocabulary adds one) and special tokens parsed.
#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "test_data.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace {

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Position just after `"key":` and any whitespace, or npos.
size_t value_start(const std::string &json, const std::string &key) {
    size_t at = json.find("\"" + key + "\"");
    if (at == std::string::npos) return at;
    at = json.find(':', at);
    if (at == std::string::npos) return at;
    ++at;
    while (at < json.size() && std::isspace(static_cast<unsigned char>(json[at]))) ++at;
    return at;
}

std::vector<lm_token> json_ids(const std::string &json, const std::string &key) {
    std::vector<lm_token> ids;
    const size_t at = value_start(json, key);
    if (at == std::string::npos || json[at] != '[') {
        ADD_FAILURE() << "no array \"" << key << "\"";
        return ids;
    }
    const size_t close = json.find(']', at);
    std::string body = json.substr(at + 1, close - at - 1);
    std::replace(body.begin(), body.end(), ',', ' ');
    std::istringstream in(body);
    for (long id; in >> id;) ids.push_back(static_cast<lm_token>(id));
    return ids;
}

// A JSON string value (escapes including \uXXXX surrogate pairs); null gives `is_null`.
std::string json_string(const std::string &json, const std::string &key, bool &is_null) {
    is_null = false;
    size_t i = value_start(json, key);
    if (i == std::string::npos) {
        ADD_FAILURE() << "no key \"" << key << "\"";
        return {};
    }
    if (json.compare(i, 4, "null") == 0) {
        is_null = true;
        return {};
    }
    if (json[i] != '"') {
        ADD_FAILURE() << "\"" << key << "\" is not a string";
        return {};
    }
    std::string out;
    auto hex4 = [&](size_t at) { return static_cast<uint32_t>(std::stoul(json.substr(at, 4), nullptr, 16)); };
    for (++i; i < json.size() && json[i] != '"'; ++i) {
        if (json[i] != '\\') {
            out += json[i];
            continue;
        }
        const char e = json[++i];
        switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u': {
                uint32_t cp = hex4(i + 1);
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && json.compare(i + 1, 2, "\\u") == 0) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(i + 3) - 0xDC00);
                    i += 6;
                }
                lamina::append_utf8(out, cp);
                break;
            }
            default: out += e;  // \" \\ \/
        }
    }
    return out;
}

std::vector<std::string> golden_jsons() {
    std::vector<std::string> names;
    const std::string dir = lamina::testing::test_data_dir() + "/golden";
    DIR *d = opendir(dir.c_str());
    if (d == nullptr) {
        ADD_FAILURE() << "golden directory '" << dir << "' not found: set LAMINA_TEST_DATA";
        return names;
    }
    while (dirent *e = readdir(d)) {
        const std::string n = e->d_name;
        if (n.size() > 5 && n.compare(n.size() - 5, 5, ".json") == 0) names.push_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST(TokenizerGolden, PromptIdsMatchLlamaCpp) {
    const std::vector<std::string> names = golden_jsons();
    EXPECT_FALSE(names.empty()) << "no golden/*.json files";
    for (const std::string &name : names) {
        SCOPED_TRACE(name);
        const std::string json = read_file(lamina::testing::require_test_file("golden/" + name));
        bool prompt_is_null = false;
        const std::string prompt = json_string(json, "prompt", prompt_is_null);
        const std::vector<lm_token> expected = json_ids(json, "prompt_ids");
        bool model_is_null = false;
        std::string model = json_string(json, "model", model_is_null);
        // stories260K.json names its file in "model"; fall back to the json's own name.
        if (model.empty()) model = name.substr(0, name.size() - 5) + ".gguf";
        const std::string path = lamina::testing::require_test_file("models/" + model);
        if (path.empty()) continue;

        auto file = lamina::GgufFile::open(path);
        auto tokenizer = lamina::Tokenizer::from_gguf(*file);
        // A null prompt (stories260K) is the empty text: llama.cpp then evaluates BOS alone.
        const std::vector<lm_token> got = tokenizer->encode(prompt, tokenizer->add_bos(), /*parse_special=*/true);
        EXPECT_EQ(got, expected) << "prompt: \"" << prompt << "\"";
        if (!expected.empty() && tokenizer->add_bos()) EXPECT_EQ(expected.front(), tokenizer->bos());
    }
}
