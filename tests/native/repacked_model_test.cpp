// Loading with repack_weights (the default) against the file's own layout, on the shared Q4_0,
// Q8_0, Q4_K_M and Q6_K models: the interleaved kernels must be used where the CPU variant has them, and
// change nothing but float summation order.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cpu/interleaved_kernels.h"
#include "model/model.h"
#include "golden_files.h"
#include "lamina.h"
#include "logit_rows.h"
#include "test_data.h"

namespace lamina::testing {
namespace {

using lamina::repacking_fits;

lm_model_info info_of(const std::string &path, bool repack) {
    lm_model_params p = lm_model_default_params();
    p.repack_weights = repack;
    lm_model *model = nullptr;
    lm_model_info info{};
    EXPECT_EQ(lm_model_load(path.c_str(), p, &model), LM_OK) << lm_last_error();
    if (model != nullptr) lm_model_get_info(model, &info);
    lm_model_free(model);
    return info;
}

class RepackedModel : public ::testing::TestWithParam<const char *> {};

TEST_P(RepackedModel, SameLogitsAsFileLayout) {
    const std::string name = GetParam();
    GoldenCase g;
    ASSERT_TRUE(load_golden(name, name, g)) << "shared test data missing (LAMINA_TEST_DATA=" << test_data_dir() << ")";

    const lm_model_info repacked = info_of(g.model_file, true), plain = info_of(g.model_file, false);
    EXPECT_EQ(plain.n_repacked, 0);
    EXPECT_EQ(plain.repacked_bytes, 0);
    const GgmlType main_type = name.find("q8_0") != std::string::npos   ? GgmlType::Q8_0
                               : name.find("q6_k") != std::string::npos ? GgmlType::Q6_K
                                                                        : GgmlType::Q4_0;
    const bool has_kernels = cpu::interleaved_kernel(main_type) != nullptr;
    if (has_kernels) {
        // 2 layers x 7 matrices.
        EXPECT_GT(repacked.n_repacked, 0) << name;
        EXPECT_GT(repacked.repacked_bytes, 0) << name;
    } else {
        EXPECT_EQ(repacked.n_repacked, 0) << "variant " << cpu::variant_name(cpu::active_variant());
    }

    lm_model_params with = lm_model_default_params(), without = lm_model_default_params();
    with.repack_weights = true;
    without.repack_weights = false;
    const PromptLogits a = prompt_logits(g.model_file, g.prompt_ids, with);
    const PromptLogits b = prompt_logits(g.model_file, g.prompt_ids, without);
    ASSERT_EQ(a.n_rows(), g.prompt_ids.size());
    ASSERT_EQ(b.n_rows(), g.prompt_ids.size());
    // Not bit-identical: the kernels round their float terms in another order, and on these
    // random-weight models one activation that lands on the other side of a rounding step can
    // move later layers by a few percent (as between the AVX2 and AVX-512 plain kernels). So the
    // bound is the quantized-model tolerance; a wrongly repacked matrix lands far outside it,
    // and the kernel tests compare the arithmetic itself tightly.
    double worst = 0, worst_cos = 1;
    for (size_t r = 0; r < a.n_rows(); ++r) {
        worst = std::max(worst, row_relative_error(a.row(r), b.row(r), a.n_vocab));
        worst_cos = std::min(worst_cos, row_cosine(a.row(r), b.row(r), a.n_vocab));
    }
    std::printf("[ %s, cpu %s, %d matrices repacked ] worst row difference to the file layout %.2e, cosine %.6f\n",
                name.c_str(), cpu::variant_name(cpu::active_variant()), repacked.n_repacked, worst, worst_cos);
    EXPECT_LT(worst, 5e-2) << name;
    EXPECT_GT(worst_cos, 0.999) << name;
}

// A tied output matrix (Llama 3.2's: the token embedding, a quarter of what a decode step reads)
// gets a repacked copy for the output head while the embedding keeps the file layout for its
// row lookups: same logits as the plain file, one matrix more repacked.
TEST(RepackedModel, TiedOutputMatrixIsRepackedAndTheEmbeddingStillReadsRows) {
    const std::string vocab = require_test_file("vocab/ggml-vocab-llama-spm.gguf");
    ASSERT_FALSE(vocab.empty());
    const std::string path = temp_path("tied-q4_0");
    lm_synthesize_params sp = lm_synthesize_default_params();
    sp.shape = "tiny-64-tied";
    sp.vocab_path = vocab.c_str();
    sp.file_type = "Q4_0";
    sp.n_threads = 2;
    ASSERT_EQ(lm_model_synthesize(path.c_str(), sp), LM_OK) << lm_last_error();
    const lm_model_info repacked = info_of(path, true), plain = info_of(path, false);
    EXPECT_EQ(plain.n_repacked, 0);
    if (cpu::interleaved_kernel(GgmlType::Q4_0) == nullptr) {
        std::printf("variant %s has no interleaved Q4_0 kernels: the tied output is NOT tested repacked here\n",
                    cpu::variant_name(cpu::active_variant()));
        EXPECT_EQ(repacked.n_repacked, 0);
    } else {
        // 2 layers x 7 matrices + the output copy, when the embedding's type has kernels too.
        EXPECT_EQ(repacked.n_repacked, 15) << "the tied output matrix was not repacked";
    }
    lm_model_params with = lm_model_default_params(), without = lm_model_default_params();
    with.repack_weights = true;
    without.repack_weights = false;
    const std::vector<lm_token> prompt = {1, 450, 4996, 17354, 1701, 432, 17204, 975, 278};
    const PromptLogits a = prompt_logits(path, prompt, with), b = prompt_logits(path, prompt, without);
    ASSERT_EQ(a.n_rows(), prompt.size());
    ASSERT_EQ(b.n_rows(), prompt.size());
    for (size_t r = 0; r < a.n_rows(); ++r) {
        EXPECT_LT(row_relative_error(a.row(r), b.row(r), a.n_vocab), 5e-2) << "row " << r;
        EXPECT_GT(row_cosine(a.row(r), b.row(r), a.n_vocab), 0.999) << "row " << r;
    }
    std::remove(path.c_str());
}

TEST(RepackingFits, LeavesAFifthOfTheMemory) {
    constexpr uint64_t GiB = uint64_t{1} << 30;
    EXPECT_TRUE(repacking_fits(600 << 20, 24 * GiB));       // TinyLlama on this machine kind
    EXPECT_TRUE(repacking_fits(3 * GiB, 4 * GiB));           // 75%
    EXPECT_FALSE(repacking_fits(3800ull << 20, 4 * GiB));    // a 7B Q4_0 in a 4 GiB container
    EXPECT_FALSE(repacking_fits(1, 0));
}

INSTANTIATE_TEST_SUITE_P(Models, RepackedModel, ::testing::Values("llama2-gqa256-q4_0", "llama2-gqa256-q8_0",
                                                                    "llama2-gqa256-q4_k_m", "llama2-gqa256-q6_k"),
                         [](const auto &info) {
                             std::string n = info.param;
                             for (char &c : n) c = (c == '-') ? '_' : c;
                             return n;
                         });

}  // namespace
}  // namespace lamina::testing
