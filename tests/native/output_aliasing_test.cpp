// Writing a model never destroys an input: an output path that is an input file (the same path,
// a symbolic link or a hard link to it) is refused before anything is written, and the temporary
// file a write goes through never replaces an existing file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "lamina.h"
#include "test_data.h"

namespace {

namespace fs = std::filesystem;

std::vector<char> read_all(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A private copy of a shared model, so the test may point outputs at it.
std::string copy_of(const std::string &shared, const std::string &stem) {
    const std::string path = lamina::testing::temp_path(stem);
    fs::copy_file(shared, path, fs::copy_options::overwrite_existing);
    return path;
}

lm_quantize_params q8() {
    lm_quantize_params qp = lm_quantize_default_params();
    qp.file_type = "Q8_0";
    return qp;
}

TEST(OutputAliasing, QuantizeRefusesToWriteOverItsInputByAnyName) {
    const std::string input = copy_of(lamina::testing::require_test_file("models/llama2-mha-f32.gguf"), "alias-in");
    const std::vector<char> before = read_all(input);
    const std::string symlink = input + ".symlink.gguf";
    const std::string hardlink = input + ".hardlink.gguf";
    fs::remove(symlink);
    fs::remove(hardlink);
    fs::create_symlink(input, symlink);
    fs::create_hard_link(input, hardlink);
    for (const std::string &output : {input, symlink, hardlink}) {
        SCOPED_TRACE(output);
        EXPECT_EQ(lm_model_quantize(input.c_str(), output.c_str(), q8()), LM_ERR_INVALID_ARGUMENT);
        const std::string error = lm_last_error();
        EXPECT_NE(error.find("is the input file"), std::string::npos) << error;
        EXPECT_NE(error.find(output), std::string::npos) << error;
    }
    EXPECT_EQ(read_all(input), before) << "the input was modified";
    fs::remove(symlink);
    fs::remove(hardlink);
    fs::remove(input);
}

TEST(OutputAliasing, SynthesizeRefusesToWriteOverItsVocabulary) {
    const std::string vocab = copy_of(lamina::testing::require_test_file("vocab/ggml-vocab-llama-spm.gguf"), "alias-vocab");
    const std::vector<char> before = read_all(vocab);
    lm_synthesize_params sp = lm_synthesize_default_params();
    sp.shape = "tiny-64";
    sp.vocab_path = vocab.c_str();
    EXPECT_EQ(lm_model_synthesize(vocab.c_str(), sp), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("is the input file"), std::string::npos) << lm_last_error();
    EXPECT_EQ(read_all(vocab), before);
    fs::remove(vocab);
}

// The temporary file is a new one: a file that happens to carry the old fixed temporary name
// (here: the input itself) is neither truncated nor replaced.
TEST(OutputAliasing, TheTemporaryFileNeverReplacesAnExistingFile) {
    const std::string out = lamina::testing::temp_path("alias-out");
    const std::string input = out + ".tmp";
    fs::copy_file(lamina::testing::require_test_file("models/llama2-mha-f32.gguf"), input,
                  fs::copy_options::overwrite_existing);
    const std::vector<char> before = read_all(input);
    ASSERT_EQ(lm_model_quantize(input.c_str(), out.c_str(), q8()), LM_OK) << lm_last_error();
    EXPECT_EQ(read_all(input), before);
    lm_model *model = nullptr;
    EXPECT_EQ(lm_model_load(out.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    lm_model_free(model);
    // Written files get the usual permissions (mkstemp alone would make them 0600).
    struct stat st {};
    ASSERT_EQ(::stat(out.c_str(), &st), 0);
    const mode_t mask = ::umask(022);
    ::umask(mask);
    EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
    fs::remove(input);
    fs::remove(out);
}

}  // namespace
