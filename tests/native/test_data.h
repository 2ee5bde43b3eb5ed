// Locates the shared test data (models, golden logits, vocabularies) for native tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

namespace lamina::testing {

// $LAMINA_TEST_DATA or ../shared. A missing directory fails the test with a message saying so.
inline std::string test_data_dir() {
    const char *env = std::getenv("LAMINA_TEST_DATA");
    return env != nullptr && *env != '\0' ? std::string(env) : std::string("../shared");
}

// The path of a shared file; fails the calling test (not skips) when it is missing.
inline std::string require_test_file(const std::string &relative) {
    std::string path = test_data_dir() + "/" + relative;
    std::ifstream probe(path, std::ios::binary);
    if (!probe) {
        ADD_FAILURE() << "test data '" << path << "' not found: set LAMINA_TEST_DATA to the "
                      << "directory holding models/, golden/ and vocab/ (default ../shared)";
        return {};
    }
    return path;
}

// A temporary file path unique to this process (CTest runs tests in parallel processes).
inline std::string temp_path(const std::string &stem) {
    return ::testing::TempDir() + "lamina-" + stem + "-" + std::to_string(getpid()) + ".gguf";
}

}  // namespace lamina::testing
