// Replays every input the fuzzer ever found a bug with (tests/native/fuzz/regressions/, saved
// by scripts/fuzz.sh) through the same code the harness runs, so fixed bugs stay fixed. Under
// the asan preset a regression shows up as a sanitizer report; in any build as a crash or as an
// exception other than LaminaError.
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"

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
        EXPECT_NO_THROW(lamina::fuzz::run_one_input(bytes.data(), bytes.size()));
    }
}

}  // namespace
