// libFuzzer entry point of the structure-aware mode: instead of raw bytes, each input is a
// small mutation program (mutation_program.h) that edits the metadata values and tensor infos
// of one shared model: a key set to 0, -1, max, NaN, ±inf, a denormal, a huge array length,
// an empty, invalid-UTF-8 or huge string, another type; keys added, removed, duplicated or
// renamed; a tensor's sizes, n_dims, type, offset or name changed; tensors dropped or
// duplicated; the alignment, architecture or block count changed; a lying header. The edited
// file is then loaded through lm_model_load, tokenized and evaluated (structure_target.h).
// Byte-level mutation rarely gets past the GGUF parser; these edits are well-formed GGUF
// almost every time, so they reach hyperparameter validation, tensor binding and evaluation.
//
// Needs the shared models ($LAMINA_TEST_DATA, default ../shared); built and run by
// scripts/fuzz.sh (CMake preset "fuzz"). Any finding is saved to tests/native/fuzz/regressions/
// and replayed by FuzzRegressions in lamina_tests, which recognises the "LMSF" magic.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <random>

#include "fuzz/structure_target.h"

using lamina::fuzz::Edit;
using lamina::fuzz::EditOp;
using lamina::fuzz::MutationProgram;

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    // A missing base model is a broken setup: say so once, before any execution.
    try {
        for (size_t i = 0; i < lamina::fuzz::base_models().size(); ++i) (void)lamina::fuzz::base_image(i);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s\n", e.what());
        std::exit(1);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    try {
        lamina::fuzz::run_structure_input(data, size);
    } catch (const lamina::fuzz::StructureFinding &f) {
        std::fprintf(stderr, "==structure fuzz== FINDING: %s\n", f.what());
        std::abort();
    }
    return 0;
}

namespace {

Edit random_edit(std::mt19937 &rng) {
    std::uniform_int_distribution<int> byte(0, 255);
    Edit e;
    e.op = static_cast<uint8_t>(byte(rng) % static_cast<int>(EditOp::kCount));
    e.a = static_cast<uint8_t>(byte(rng));
    e.b = static_cast<uint8_t>(byte(rng));
    e.c = static_cast<uint8_t>(byte(rng));
    return e;
}

size_t emit(const MutationProgram &p, uint8_t *data, size_t max_size) {
    std::vector<uint8_t> bytes = p.encode();
    // Whole edits only, so a program never loses its last edit's alignment.
    while (bytes.size() > max_size && bytes.size() >= lamina::fuzz::kStructureHeader + 4) bytes.resize(bytes.size() - 4);
    if (bytes.size() > max_size) return 0;
    std::memcpy(data, bytes.data(), bytes.size());
    return bytes.size();
}

}  // namespace

// Mutates the program, not its bytes: each step changes the base model, the text, or one edit
// (a field, an insertion, a removal, a duplicate), so almost every mutant is a new, valid file
// edit. A quarter of the time libFuzzer's byte mutator works on the edits instead (it brings
// values from comparisons it saw); the result is still a program since every byte string is.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
    std::mt19937 rng(seed);
    std::optional<MutationProgram> decoded = MutationProgram::decode(data, size);
    MutationProgram p = decoded ? *decoded : MutationProgram{};
    std::uniform_int_distribution<int> byte(0, 255);
    const int choice = byte(rng) % 16;
    if (choice < 4 && size > lamina::fuzz::kStructureHeader) {
        std::vector<uint8_t> edits(data + lamina::fuzz::kStructureHeader, data + size);
        const size_t room = lamina::fuzz::kMaxEdits * 4;
        edits.resize(std::max(edits.size(), room));
        const size_t n = LLVMFuzzerMutate(edits.data(), size - lamina::fuzz::kStructureHeader, edits.size());
        p.edits.clear();
        for (size_t at = 0; at + 4 <= n; at += 4) p.edits.push_back({edits[at], edits[at + 1], edits[at + 2], edits[at + 3]});
    } else if (choice == 4) {
        p.base = static_cast<uint8_t>(byte(rng));
    } else if (choice == 5) {
        p.text = static_cast<uint8_t>(byte(rng));
    } else if (choice < 9 || p.edits.empty()) {
        if (p.edits.size() < lamina::fuzz::kMaxEdits) {
            std::uniform_int_distribution<size_t> where(0, p.edits.size());
            p.edits.insert(p.edits.begin() + where(rng), random_edit(rng));
        }
    } else {
        std::uniform_int_distribution<size_t> which(0, p.edits.size() - 1);
        const size_t i = which(rng);
        switch (choice) {
            case 9: p.edits.erase(p.edits.begin() + i); break;
            case 10:
                if (p.edits.size() < lamina::fuzz::kMaxEdits) p.edits.insert(p.edits.begin() + i, p.edits[i]);
                break;
            case 11: p.edits[i].op = static_cast<uint8_t>(byte(rng)); break;
            case 12: p.edits[i].a = static_cast<uint8_t>(byte(rng)); break;
            case 13: p.edits[i].b = static_cast<uint8_t>(byte(rng)); break;
            default: p.edits[i].c = static_cast<uint8_t>(byte(rng)); break;
        }
    }
    return emit(p, data, max_size);
}

// Splices the edits of two programs: the first one's head, the second one's tail.
extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                            uint8_t *out, size_t max_out_size, unsigned int seed) {
    const std::optional<MutationProgram> a = MutationProgram::decode(data1, size1);
    const std::optional<MutationProgram> b = MutationProgram::decode(data2, size2);
    if (!a || !b) return 0;
    std::mt19937 rng(seed);
    MutationProgram child = *a;
    child.edits.resize(std::uniform_int_distribution<size_t>(0, a->edits.size())(rng));
    const size_t from = std::uniform_int_distribution<size_t>(0, b->edits.size())(rng);
    for (size_t i = from; i < b->edits.size() && child.edits.size() < lamina::fuzz::kMaxEdits; ++i) {
        child.edits.push_back(b->edits[i]);
    }
    return emit(child, out, max_out_size);
}
