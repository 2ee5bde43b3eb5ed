// Replays every input the fuzzer ever found a bug with (tests/native/fuzz/regressions/, saved
// by scripts/fuzz.sh) through the same code the harness that found it runs, so fixed bugs stay
// fixed: structure-mode programs (the "LMSF" magic, structure_target.h) against the shared
// models, everything else as raw bytes (fuzz_target.h). Under the asan preset a regression
// shows up as a sanitizer report; in any build as a crash, as an exception other than
// LaminaError, or as a structure-mode finding (an internal error, non-finite logits, ...).
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "fuzz/structure_target.h"
#include "test_data.h"

namespace {

std::vector<std::string> regression_files() {
    std::vector<std::string> out;
    DIR *d = opendir(LAMINA_FUZZ_REGRESSIONS_DIR);
    if (d == nullptr) return out;
    while (const dirent *e = readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != ".." && name != "README.md") out.push_back(name);
    }
    closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

TEST(FuzzRegressions, EverySavedInputIsHandled) {
    const std::vector<std::string> files = regression_files();
    ASSERT_FALSE(files.empty()) << "no inputs in " << LAMINA_FUZZ_REGRESSIONS_DIR;
    for (const std::string &name : files) {
        SCOPED_TRACE(name);
        std::ifstream in(std::string(LAMINA_FUZZ_REGRESSIONS_DIR) + "/" + name, std::ios::binary);
        ASSERT_TRUE(in) << "cannot read " << name;
        const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (lamina::fuzz::is_structure_input(bytes.data(), bytes.size())) {
            const uint8_t base = bytes[4];
            const auto &bases = lamina::fuzz::base_models();
            const std::string model = lamina::testing::require_test_file(
                std::string("models/") + bases[base % bases.size()].file);
            if (model.empty()) continue;  // require_test_file failed the test, naming the file
            try {
                lamina::fuzz::run_structure_input(bytes.data(), bytes.size());
            } catch (const std::exception &e) {
                ADD_FAILURE() << e.what();
            }
        } else {
            EXPECT_NO_THROW(lamina::fuzz::run_one_input(bytes.data(), bytes.size()));
        }
    }
}

}  // namespace

namespace {

// The structure mode's rewriter must reproduce a base model exactly when no edit is applied,
// or every finding would be about the rewriter rather than the model it was given.
TEST(FuzzStructure, AProgramWithoutEditsRebuildsEachBaseModelByteForByte) {
    const auto &bases = lamina::fuzz::base_models();
    for (size_t i = 0; i < bases.size(); ++i) {
        SCOPED_TRACE(bases[i].file);
        if (lamina::testing::require_test_file(std::string("models/") + bases[i].file).empty()) continue;
        lamina::fuzz::MutationProgram program;
        program.base = static_cast<uint8_t>(i);
        EXPECT_EQ(lamina::fuzz::build_structure_file(program), lamina::fuzz::base_model_bytes(i));
    }
}

// Edits must be meaningful almost every time: nearly every single edit changes the file.
TEST(FuzzStructure, NearlyEverySingleEditChangesTheFile) {
    if (lamina::testing::require_test_file("models/stories260K-f32.gguf").empty()) return;
    lamina::fuzz::MutationProgram program;  // base 0
    const std::vector<uint8_t> base = lamina::fuzz::build_structure_file(program);
    int unchanged = 0, total = 0;
    uint32_t state = 12345;
    auto next_byte = [&state] {
        state = state * 1103515245u + 12345u;  // any spread of values will do
        return static_cast<uint8_t>(state >> 16);
    };
    for (int op = 0; op < static_cast<int>(lamina::fuzz::EditOp::kCount); ++op) {
        for (int i = 0; i < 64; ++i) {
            program.edits = {{static_cast<uint8_t>(op), next_byte(), next_byte(), next_byte()}};
            unchanged += lamina::fuzz::build_structure_file(program) == base;
            ++total;
        }
    }
    EXPECT_LT(unchanged * 20, total) << unchanged << " of " << total << " edits left the file as it was";
}

}  // namespace
