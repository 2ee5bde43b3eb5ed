// Writes the fuzz seed corpus from the shared models and vocabularies:
//   make_seeds SHARED_DIR OUT_DIR              byte mode (fuzz_model.cpp)
//   make_seeds --structure SHARED_DIR OUT_DIR  structure mode (fuzz_structure.cpp)
// Byte mode: for every models/*.gguf and vocab/*.gguf, its miniature (model_shrinker.h) with a
// few tokenizer texts appended (fuzz_target.h layout), and the miniature cut at its tensor data.
// Structure mode: for every base model, the empty program with each text and one program per
// kind of edit. Seeds are generated at run time so no model bytes live in the repository.
#include <dirent.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/error.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/model_shrinker.h"
#include "fuzz/structure_target.h"

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
            lamina::Model::from_gguf(lamina::GgufFile::parse(bytes.data(), bytes.size(), "seed"), vocab_only);
            out += vocab_only ? "vocab ok" : ", full ok";
        } catch (const lamina::LaminaError &e) {
            out += std::string(vocab_only ? "vocab: " : ", full: ") + e.what();
        }
    }
    return out;
}

// One program per base and kind of edit, plus the unedited bases; says how far each unedited
// base gets, since a base that no longer loads would leave the mode fuzzing only rejections.
int structure_seeds(const std::string &out_dir) {
    using lamina::fuzz::EditOp;
    using lamina::fuzz::MutationProgram;
    int n_seeds = 0;
    for (size_t base = 0; base < lamina::fuzz::base_models().size(); ++base) {
        MutationProgram p;
        p.base = static_cast<uint8_t>(base);
        const std::string name = std::string("structure-") + lamina::fuzz::base_models()[base].file;
        std::cerr << "seed " << name << ": " << reach(lamina::fuzz::build_structure_file(p)) << "\n";
        for (size_t t = 0; t < lamina::fuzz::tokenizer_texts().size(); ++t) {
            p.text = static_cast<uint8_t>(t);
            write(out_dir + "/" + name + "-text" + std::to_string(t), p.encode());
            ++n_seeds;
        }
        for (uint8_t op = 0; op < static_cast<uint8_t>(EditOp::kCount); ++op) {
            MutationProgram one = p;
            one.text = op;
            one.edits = {{op, static_cast<uint8_t>(3 * op + base), static_cast<uint8_t>(op & 1), static_cast<uint8_t>(op + 1)}};
            write(out_dir + "/" + name + "-op" + std::to_string(op), one.encode());
            ++n_seeds;
        }
    }
    std::cerr << "make_seeds: wrote " << n_seeds << " structure seeds to " << out_dir << "\n";
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    const bool structure = argc == 4 && std::string(argv[1]) == "--structure";
    if (argc != 3 && !structure) {
        std::cerr << "usage: " << argv[0] << " [--structure] SHARED_DIR OUT_DIR\n";
        return 2;
    }
    const std::string shared = argv[argc - 2], out_dir = argv[argc - 1];
    if (structure) {
        setenv("LAMINA_TEST_DATA", shared.c_str(), 1);
        try {
            return structure_seeds(out_dir);
        } catch (const std::exception &e) {
            std::cerr << "make_seeds: " << e.what() << "\n";
            return 1;
        }
    }
    std::vector<std::string> sources = gguf_files(shared + "/models");
    for (const std::string &v : gguf_files(shared + "/vocab")) sources.push_back(v);
    if (sources.empty()) {
        std::cerr << "make_seeds: no .gguf files under " << shared << "/models or /vocab\n";
        return 1;
    }
    int n_seeds = 0;
    try {
        for (const std::string &path : sources) {
            auto src = lamina::GgufFile::open(path);
            const std::vector<uint8_t> mini = lamina::fuzz::shrink_model(*src);
            const std::string name = base_name(path);
            std::cerr << "seed " << name << ": " << mini.size() << " bytes; " << reach(mini) << "\n";
            for (size_t i = 0; i < lamina::fuzz::tokenizer_texts().size(); ++i) {
                const lamina::fuzz::TokenizerText &t = lamina::fuzz::tokenizer_texts()[i];
                write(out_dir + "/" + name + "-text" + std::to_string(i), with_text(mini, std::string(t.text), t.flags()));
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
