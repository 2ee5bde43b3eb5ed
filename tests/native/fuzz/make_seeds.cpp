// Writes the fuzz seed corpus from the shared models and vocabularies:
//   make_seeds SHARED_DIR OUT_DIR
// For every models/*.gguf and vocab/*.gguf: its miniature (model_shrinker.h) with a few
// tokenizer texts appended (fuzz_target.h layout), and the miniature cut at its tensor data.
// Seeds are generated at run time so no model bytes live in the repository.
#include <dirent.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/error.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/model_shrinker.h"

namespace {

std::vector<std::string> gguf_files(const std::string &dir) {
    std::vector<std::string> out;
    if (DIR *d = opendir(dir.c_str())) {
        while (const dirent *e = readdir(d)) {
            const std::string name = e->d_name;
            if (name.size() > 5 && name.substr(name.size() - 5) == ".gguf") out.push_back(dir + "/" + name);
        }
        closedir(d);
    }
    return out;
}

std::string base_name(const std::string &path) {
    const size_t slash = path.rfind('/');
    std::string name = path.substr(slash + 1);
    return name.substr(0, name.size() - 5);
}

void write(const std::string &path, const std::vector<uint8_t> &bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<uint8_t> with_text(std::vector<uint8_t> bytes, const std::string &text, uint8_t flags) {
    bytes.insert(bytes.end(), text.begin(), text.end());
    bytes.push_back(static_cast<uint8_t>(text.size()));
    bytes.push_back(flags);
    return bytes;
}

// "vocab ok, full ok" etc., so a seed that no longer reaches the deep stages is noticed.
std::string reach(const std::vector<uint8_t> &bytes) {
    std::string out;
    for (bool vocab_only : {true, false}) {
        try {
            lamina::LlamaModel::from_gguf(lamina::GgufFile::parse(bytes.data(), bytes.size(), "seed"), vocab_only);
            out += vocab_only ? "vocab ok" : ", full ok";
        } catch (const lamina::LaminaError &e) {
            out += std::string(vocab_only ? "vocab: " : ", full: ") + e.what();
        }
    }
    return out;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 3) {
        std::cerr << "usage: " << argv[0] << " SHARED_DIR OUT_DIR\n";
        return 2;
    }
    const std::string shared = argv[1], out_dir = argv[2];
    std::vector<std::string> sources = gguf_files(shared + "/models");
    for (const std::string &v : gguf_files(shared + "/vocab")) sources.push_back(v);
    if (sources.empty()) {
        std::cerr << "make_seeds: no .gguf files under " << shared << "/models or /vocab\n";
        return 1;
    }
    const std::vector<std::pair<std::string, uint8_t>> texts = {
        {"Hello world", 1},
        {" \xC3\xA9t\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 123\n\n\t  x", 2},
        {"<s></s><|begin_of_text|><|eot_id|> a<0x0A>", 7},
    };
    int n_seeds = 0;
    try {
        for (const std::string &path : sources) {
            auto src = lamina::GgufFile::open(path);
            const std::vector<uint8_t> mini = lamina::fuzz::shrink_model(*src);
            const std::string name = base_name(path);
            std::cerr << "seed " << name << ": " << mini.size() << " bytes; " << reach(mini) << "\n";
            for (size_t i = 0; i < texts.size(); ++i) {
                write(out_dir + "/" + name + "-text" + std::to_string(i), with_text(mini, texts[i].first, texts[i].second));
                ++n_seeds;
            }
            // The same with general.alignment = 1 (tensor data at any byte offset).
            lamina::fuzz::ShrinkOptions packed;
            packed.alignment = 1;
            write(out_dir + "/" + name + "-align1", with_text(lamina::fuzz::shrink_model(*src, packed), "a b", 0));
            ++n_seeds;
            const size_t header = lamina::fuzz::data_section_offset(mini);
            if (header < mini.size()) {
                write(out_dir + "/" + name + "-header", std::vector<uint8_t>(mini.begin(), mini.begin() + header));
                ++n_seeds;
            }
        }
    } catch (const std::exception &e) {
        std::cerr << "make_seeds: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "make_seeds: wrote " << n_seeds << " seeds to " << out_dir << "\n";
    return 0;
}
