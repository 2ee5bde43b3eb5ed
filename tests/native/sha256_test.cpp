// SHA-256 against FIPS 180-4 test vectors and sha256sum, and lm_model_load's digest check.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "common/sha256.h"
#include "lamina.h"
#include "test_data.h"

namespace {

std::string digest(const std::string &text) {
    lamina::Sha256 sha;
    sha.update(text.data(), text.size());
    return sha.hex_digest();
}

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    // One million 'a', fed in uneven pieces to exercise the block buffering.
    lamina::Sha256 sha;
    const std::string piece(997, 'a');
    size_t fed = 0;
    while (fed + piece.size() <= 1000000) {
        sha.update(piece.data(), piece.size());
        fed += piece.size();
    }
    sha.update(piece.data(), 1000000 - fed);
    EXPECT_EQ(sha.hex_digest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, LoadChecksTheDigest) {
    const std::string path = lamina::testing::require_test_file("models/stories260K-f32.gguf");
    ASSERT_FALSE(path.empty());
    char hex[65] = {0};
    size_t len = 0;
    ASSERT_EQ(lm_file_sha256(path.c_str(), hex, sizeof hex, &len), LM_OK) << lm_last_error();
    ASSERT_EQ(len, 64u);
    // Compare with the system's sha256sum where it exists (coreutils).
    const std::string cmd = "sha256sum '" + path + "' 2>/dev/null";
    if (std::FILE *p = popen(cmd.c_str(), "r")) {
        char line[128] = {0};
        if (std::fgets(line, sizeof line, p) != nullptr) EXPECT_EQ(std::string(line, 64), std::string(hex, 64));
        pclose(p);
    }

    lm_model_params params = lm_model_default_params();
    const std::string good(hex, 64);
    params.expected_sha256 = good.c_str();
    lm_model *model = nullptr;
    ASSERT_EQ(lm_model_load(path.c_str(), params, &model), LM_OK) << lm_last_error();
    lm_model_free(model);

    std::string bad = good;
    bad[0] = bad[0] == '0' ? '1' : '0';
    params.expected_sha256 = bad.c_str();
    EXPECT_EQ(lm_model_load(path.c_str(), params, &model), LM_ERR_BAD_FORMAT);
    EXPECT_NE(std::string(lm_last_error()).find(good), std::string::npos) << lm_last_error();
    EXPECT_NE(std::string(lm_last_error()).find(bad), std::string::npos) << lm_last_error();

    params.expected_sha256 = "xyz";
    EXPECT_EQ(lm_model_load(path.c_str(), params, &model), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("64 hex digits"), std::string::npos);
}

}  // namespace
