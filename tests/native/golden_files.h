// Reads ../shared/golden/NAME.json and NAME.logits.f32 (llama.cpp's outputs) for native tests.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_data.h"

namespace lamina::testing {

struct GoldenCase {
    std::string model_file;  // path of the GGUF
    std::string prompt;
    std::vector<int32_t> prompt_ids;
    std::vector<int32_t> greedy_ids;
    int32_t n_vocab = 0;
    std::vector<float> logits;  // prompt_ids.size() rows of n_vocab
};

// Extracts `"key": [ints]` from flat JSON.
inline std::vector<int32_t> json_int_array(const std::string &json, const std::string &key) {
    std::vector<int32_t> out;
    const size_t k = json.find("\"" + key + "\"");
    if (k == std::string::npos) return out;
    const size_t open = json.find('[', k), close = json.find(']', open);
    std::istringstream in(json.substr(open + 1, close - open - 1));
    std::string item;
    while (std::getline(in, item, ',')) out.push_back(static_cast<int32_t>(std::stol(item)));
    return out;
}

// Extracts `"key": "string"`, "" for null (handles \" \\ \n \t and \uXXXX escapes of the BMP).
inline std::string json_string(const std::string &json, const std::string &key) {
    const size_t k = json.find("\"" + key + "\"");
    if (k == std::string::npos) return {};
    size_t i = json.find_first_not_of(" \t\r\n", json.find(':', k) + 1);
    if (i == std::string::npos || json[i] != '"') return {};  // null: no prompt (BOS only)
    ++i;
    std::string out;
    for (; i < json.size() && json[i] != '"'; ++i) {
        if (json[i] != '\\') {
            out += json[i];
            continue;
        }
        const char e = json[++i];
        if (e == 'n') out += '\n';
        else if (e == 't') out += '\t';
        else if (e == 'u') {
            const unsigned cp = static_cast<unsigned>(std::stoul(json.substr(i + 1, 4), nullptr, 16));
            i += 4;
            if (cp < 0x80) out += static_cast<char>(cp);
            else if (cp < 0x800) { out += static_cast<char>(0xC0 | (cp >> 6)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
            else { out += static_cast<char>(0xE0 | (cp >> 12)); out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)); out += static_cast<char>(0x80 | (cp & 0x3F)); }
        } else out += e;
    }
    return out;
}

inline bool read_file(const std::string &path, std::string &out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

// golden_name: "llama2-mha-f32" or "stories260K"; model_name: the GGUF's base name.
inline bool load_golden(const std::string &golden_name, const std::string &model_name, GoldenCase &g) {
    g.model_file = require_test_file("models/" + model_name + ".gguf");
    const std::string json_path = require_test_file("golden/" + golden_name + ".json");
    const std::string logits_path = require_test_file("golden/" + golden_name + ".logits.f32");
    std::string json, raw;
    if (g.model_file.empty() || json_path.empty() || logits_path.empty()) return false;
    if (!read_file(json_path, json) || !read_file(logits_path, raw)) return false;
    g.prompt = json_string(json, "prompt");
    g.prompt_ids = json_int_array(json, "prompt_ids");
    g.greedy_ids = json_int_array(json, "greedy_ids");
    const size_t k = json.find("\"n_vocab\"");
    g.n_vocab = static_cast<int32_t>(std::stol(json.substr(json.find(':', k) + 1)));
    g.logits.resize(raw.size() / sizeof(float));
    std::memcpy(g.logits.data(), raw.data(), g.logits.size() * sizeof(float));
    return true;
}

}  // namespace lamina::testing
