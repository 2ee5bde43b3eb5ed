// Reads ../shared/golden/NAME.json with its prompt logits (NAME.logits.f32) and decode-step logits
// (NAME.decode.f32, when the golden has them): llama.cpp's outputs, for native tests.
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
    std::string model_name;  // the golden's "model" (the GGUF's file name)
    std::string prompt;
    std::vector<int32_t> prompt_ids;
    std::vector<int32_t> greedy_ids;
    int32_t n_vocab = 0;
    // The prompt positions the stored rows are of: the golden's logits_rows when it lists them
    // (long prompts keep only some), else every position 0 .. prompt_ids.size()-1.
    std::vector<int32_t> logits_rows;
    bool sampled_rows = false;  // the golden lists logits_rows
    std::vector<float> logits;  // logits_rows.size() rows of n_vocab
    // decode_steps rows of n_vocab (none when the golden has no decode_logits_file): row k holds
    // the logits after feeding greedy_ids[k] at position prompt_ids.size() + k, one token a call.
    int32_t decode_steps = 0;
    std::vector<float> decode_logits;

    const float *logits_row(size_t j) const { return logits.data() + j * static_cast<size_t>(n_vocab); }
    const float *decode_row(size_t k) const { return decode_logits.data() + k * static_cast<size_t>(n_vocab); }
};

// Extracts `"key": [ints]` from flat JSON.
inline std::vector<int32_t> json_int_array(const std::string &json, const std::string &key) {
    std::vector<int32_t> out;
    const size_t k = json.find("\"" + key + "\"");
    if (k == std::string::npos) return out;
    const size_t open = json.find('[', k), close = json.find(']', open);
    std::istringstream in(json.substr(open + 1, close - open - 1));
    std::string item;
    while (std::getline(in, item, ','))
        if (item.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(static_cast<int32_t>(std::stol(item)));
    return out;
}

inline bool json_has(const std::string &json, const std::string &key) {
    return json.find("\"" + key + "\"") != std::string::npos;
}

// Extracts `"key": int`; `fallback` when the key is absent.
inline int64_t json_int(const std::string &json, const std::string &key, int64_t fallback = 0) {
    const size_t k = json.find("\"" + key + "\"");
    if (k == std::string::npos) return fallback;
    return std::stoll(json.substr(json.find(':', k) + 1));
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

// Reads `path` as rows of n_vocab float32 values; fails the test naming the file when its size is
// not `rows` such rows.
inline bool read_rows(const std::string &path, size_t rows, int32_t n_vocab, std::vector<float> &out) {
    std::string raw;
    if (!read_file(path, raw)) {
        ADD_FAILURE() << "cannot read '" << path << "'";
        return false;
    }
    const size_t want = rows * static_cast<size_t>(n_vocab) * sizeof(float);
    if (raw.size() != want) {
        ADD_FAILURE() << "'" << path << "' has " << raw.size() << " bytes, expected " << rows << " rows of " << n_vocab
                      << " float32 logits (" << want << " bytes)";
        return false;
    }
    out.resize(raw.size() / sizeof(float));
    std::memcpy(out.data(), raw.data(), raw.size());
    return true;
}

// golden_name: "llama2-mha-f32" or "stories260K"; model_name: the GGUF's base name. Reads the
// prompt rows (logits_file, only the positions of logits_rows when the golden lists them) and
// the decode rows (decode_logits_file, decode_steps_kept of them) when the golden has them.
inline bool load_golden(const std::string &golden_name, const std::string &model_name, GoldenCase &g) {
    g = GoldenCase{};
    g.model_file = require_test_file("models/" + model_name + ".gguf");
    const std::string json_path = require_test_file("golden/" + golden_name + ".json");
    std::string json;
    if (g.model_file.empty() || json_path.empty()) return false;
    if (!read_file(json_path, json)) return false;
    g.model_name = json_string(json, "model");
    g.prompt = json_string(json, "prompt");
    g.prompt_ids = json_int_array(json, "prompt_ids");
    g.greedy_ids = json_int_array(json, "greedy_ids");
    g.n_vocab = static_cast<int32_t>(json_int(json, "n_vocab"));
    if (g.n_vocab <= 0 || g.prompt_ids.empty()) {
        ADD_FAILURE() << "'" << json_path << "': no n_vocab or prompt_ids";
        return false;
    }
    g.sampled_rows = json_has(json, "logits_rows");
    if (g.sampled_rows) {
        g.logits_rows = json_int_array(json, "logits_rows");
        for (const int32_t row : g.logits_rows)
            if (row < 0 || row >= static_cast<int32_t>(g.prompt_ids.size())) {
                ADD_FAILURE() << "'" << json_path << "': logits_rows holds " << row << ", outside the "
                              << g.prompt_ids.size() << "-token prompt";
                return false;
            }
    } else {
        for (size_t i = 0; i < g.prompt_ids.size(); ++i) g.logits_rows.push_back(static_cast<int32_t>(i));
    }
    std::string logits_name = json_string(json, "logits_file");
    if (logits_name.empty()) logits_name = golden_name + ".logits.f32";
    const std::string logits_path = require_test_file("golden/" + logits_name);
    if (logits_path.empty() || !read_rows(logits_path, g.logits_rows.size(), g.n_vocab, g.logits)) return false;

    const std::string decode_name = json_string(json, "decode_logits_file");
    if (!decode_name.empty()) {
        g.decode_steps = static_cast<int32_t>(json_int(json, "decode_steps_kept", -1));
        if (g.decode_steps < 0 || g.decode_steps > static_cast<int32_t>(g.greedy_ids.size())) {
            ADD_FAILURE() << "'" << json_path << "': decode_logits_file needs decode_steps_kept in 0 .. "
                          << g.greedy_ids.size() << " (the greedy steps), got " << g.decode_steps;
            return false;
        }
        const std::string decode_path = require_test_file("golden/" + decode_name);
        if (decode_path.empty() || !read_rows(decode_path, static_cast<size_t>(g.decode_steps), g.n_vocab,
                                              g.decode_logits))
            return false;
    }
    return true;
}

}  // namespace lamina::testing
