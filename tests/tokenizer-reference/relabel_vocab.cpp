// Copies a vocabulary GGUF with tokenizer.ggml.pre set to another name, using Lamina's own GGUF
// writer: the relabelled vocabularies generate.mjs hands to llama.cpp (through node-llama-cpp).
//   lamina_relabel_vocab IN.gguf OUT.gguf PRE
//   lamina_relabel_vocab --names      (the pre-tokenizer names Lamina supports, one a line)
#include <cstdio>
#include <cstring>
#include <exception>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "tokenizer/pre_tokenizer.h"

int main(int argc, char **argv) {
    if (argc == 2 && std::strcmp(argv[1], "--names") == 0) {
        for (const std::string &name : lamina::PreTokenizer::names()) std::printf("%s\n", name.c_str());
        return 0;
    }
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s IN.gguf OUT.gguf PRE | --names\n", argv[0]);
        return 2;
    }
    try {
        const auto in = lamina::GgufFile::open(argv[1]);
        lamina::GgufWriter writer;
        writer.copy_metadata(*in);
        writer.set_string("tokenizer.ggml.pre", argv[3]);
        writer.write(argv[2]);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    return 0;
}
