// The architecture table and what follows from it: the names users see, the README's model
// table, synthesized files of each architecture, and experts read once per micro-batch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "convert/model_shapes.h"
#include "lamina.h"
#include "logit_rows.h"
#include "model/arch/architecture.h"
#include "test_data.h"

namespace {

std::string names_from_abi() {
    size_t len = 0;
    // The two-call pattern: the first call says how long the text is.
    EXPECT_EQ(lm_architecture_names(nullptr, 0, &len), LM_ERR_BUFFER_TOO_SMALL);
    std::string s(len, '\0');
    EXPECT_EQ(lm_architecture_names(s.data(), len, &len), LM_OK);
    return s;
}

TEST(Architectures, TableIsWhatTheAbiAndErrorsList) {
    EXPECT_EQ(names_from_abi(), lamina::supported_architectures());
    std::set<std::string> seen;
    for (const lamina::Architecture *a : lamina::architectures()) {
        EXPECT_TRUE(seen.insert(a->name).second) << "listed twice: " << a->name;
        EXPECT_GT(std::string(a->summary).size(), 10u) << a->name;
        size_t len = 0;
        ASSERT_EQ(lm_architecture_summary(a->name, nullptr, 0, &len), LM_ERR_BUFFER_TOO_SMALL) << lm_last_error();
        EXPECT_EQ(len, std::string(a->summary).size());
    }
    for (const char *name : {"llama", "qwen2", "qwen3", "qwen3moe"}) EXPECT_TRUE(seen.count(name)) << name;
    size_t len = 0;
    EXPECT_EQ(lm_architecture_summary("mamba", nullptr, 0, &len), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find(lamina::supported_architectures()), std::string::npos);
}

// The README's "Supported models" table has one row per architecture of the table, no more.
TEST(Architectures, ReadmeTableListsEveryArchitecture) {
    std::ifstream in(std::string(LAMINA_SOURCE_DIR) + "/README.md");
    ASSERT_TRUE(in) << "README.md not found under " << LAMINA_SOURCE_DIR;
    std::string line;
    bool in_table = false;
    std::set<std::string> rows;
    while (std::getline(in, line)) {
        if (line.rfind("| architecture (`general.architecture`)", 0) == 0) {
            in_table = true;
            continue;
        }
        if (!in_table) continue;
        if (line.rfind("|", 0) != 0) break;
        const size_t open = line.find('`'), close = line.find('`', open + 1);
        if (open == std::string::npos || close == std::string::npos || open > 4) continue;  // the --- row
        rows.insert(line.substr(open + 1, close - open - 1));
    }
    std::set<std::string> table;
    for (const lamina::Architecture *a : lamina::architectures()) table.insert(a->name);
    EXPECT_EQ(rows, table) << "README.md's model table and model/arch/architectures.cpp differ";
}

struct SynthCase {
    const char *shape;
    const char *architecture;
};

class SynthesizedArchitecture : public ::testing::TestWithParam<SynthCase> {};

// Each test shape of a non-llama architecture writes a file that loads as that architecture
// and evaluates to finite logits; the same seed gives the same logits.
TEST_P(SynthesizedArchitecture, LoadsAndEvaluates) {
    const SynthCase c = GetParam();
    const std::string vocab = lamina::testing::require_test_file("vocab/ggml-vocab-llama-spm.gguf");
    ASSERT_FALSE(vocab.empty());
    const std::string out = lamina::testing::temp_path(std::string("synth-") + c.shape);
    lm_synthesize_params sp = lm_synthesize_default_params();
    sp.shape = c.shape;
    sp.vocab_path = vocab.c_str();
    sp.file_type = "F16";
    sp.n_threads = 2;
    ASSERT_EQ(lm_model_synthesize(out.c_str(), sp), LM_OK) << lm_last_error();
    lm_model *model = nullptr;
    ASSERT_EQ(lm_model_load(out.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    lm_model_info info{};
    lm_model_get_info(model, &info);
    EXPECT_STREQ(info.architecture, c.architecture);
    lm_model_free(model);
    const std::vector<lm_token> prompt = {1, 450, 4996, 17354, 1701, 29916};
    const lamina::testing::PromptLogits logits = lamina::testing::prompt_logits(out, prompt);
    ASSERT_EQ(logits.n_rows(), prompt.size());
    for (float v : logits.rows) ASSERT_TRUE(std::isfinite(v));
    std::remove(out.c_str());
}

INSTANTIATE_TEST_SUITE_P(Shapes, SynthesizedArchitecture,
                         ::testing::Values(SynthCase{"tiny-qwen3", "qwen3"}, SynthCase{"tiny-mixtral", "llama"},
                                           SynthCase{"tiny-qwen3moe", "qwen3moe"}, SynthCase{"tiny-gemma3", "gemma3"}),
                         [](const auto &info) {
                             std::string n = info.param.shape;
                             for (char &ch : n) ch = ch == '-' ? '_' : ch;
                             return n;
                         });

// The gemma-3-1b shape is Gemma 3 1B's (too large to synthesize in a test: 26 layers of 1152).
TEST(SynthesizedShapes, Gemma3_1bIsTheRealModelsShape) {
    const lamina::ModelShape *s = lamina::find_model_shape("gemma-3-1b");
    ASSERT_NE(s, nullptr);
    EXPECT_STREQ(s->architecture, "gemma3");
    EXPECT_EQ(s->n_layer, 26);
    EXPECT_EQ(s->n_embd, 1152);
    EXPECT_EQ(s->n_head, 4);
    EXPECT_EQ(s->n_head_kv, 1);
    EXPECT_EQ(s->head_dim, 256);
    EXPECT_EQ(s->n_ff, 6912);
    EXPECT_EQ(s->n_swa, 512);
    EXPECT_EQ(s->rope_freq_base, 1e6f);  // the global layers'; local ones take 10000
    EXPECT_EQ(s->rope_scaling_linear, 0.0f);
    EXPECT_TRUE(s->tied_embedding);
    const lamina::ModelShape *tiny = lamina::find_model_shape("tiny-gemma3");
    ASSERT_NE(tiny, nullptr);
    EXPECT_GE(tiny->n_layer, 7) << "needs local layers on both sides of global layer 5";
}

// A prompt evaluated in one micro-batch runs each expert of each MoE layer at most once,
// however many tokens chose it; a decode step runs exactly n_expert_used per layer.
TEST(Experts, TokensAreGroupedByExpertInAMicroBatch) {
    const std::string path = lamina::testing::require_test_file("models/mixtral-moe-f32.gguf");
    ASSERT_FALSE(path.empty());
    lm_model *model = nullptr;
    ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    lm_model_info info{};
    lm_model_get_info(model, &info);
    ASSERT_EQ(info.n_expert, 4);
    ASSERT_EQ(info.n_expert_used, 2);
    lm_session_params sp = lm_session_default_params();
    sp.n_ctx = 128;
    sp.n_threads = 2;
    lm_session *session = nullptr;
    ASSERT_EQ(lm_session_new(model, sp, &session), LM_OK) << lm_last_error();
    std::vector<lm_token> prompt(64);
    for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<lm_token>(100 + 37 * i);
    int64_t passes = -1;
    ASSERT_EQ(lm_session_n_expert_passes(session, &passes), LM_OK);
    EXPECT_EQ(passes, 0);
    ASSERT_EQ(lm_session_eval(session, prompt.data(), static_cast<int32_t>(prompt.size()), 0, false), LM_OK)
        << lm_last_error();
    ASSERT_EQ(lm_session_n_expert_passes(session, &passes), LM_OK);
    // 64 tokens x 2 experts x 2 layers would be 256 passes one token at a time.
    EXPECT_GE(passes, 2 * info.n_expert_used);
    EXPECT_LE(passes, 2 * info.n_expert);
    const lm_token next = 42;
    ASSERT_EQ(lm_session_eval(session, &next, 1, static_cast<int32_t>(prompt.size()), false), LM_OK);
    int64_t after = 0;
    ASSERT_EQ(lm_session_n_expert_passes(session, &after), LM_OK);
    EXPECT_EQ(after - passes, 2 * info.n_expert_used);
    lm_session_free(session);
    lm_model_free(model);
}

}  // namespace

namespace {

// What a decode step reads: experts at the share a token routes through (2 of 4 here), the
// embedding only when it doubles as the output matrix.
TEST(Experts, DecodeWeightBytesCountTheRoutedShareOfTheExperts) {
    for (const char *name : {"models/mixtral-moe-f32.gguf", "models/llama2-mha-f32.gguf", "models/qwen2-f16.gguf"}) {
        const std::string path = lamina::testing::require_test_file(name);
        ASSERT_FALSE(path.empty());
        lm_model *model = nullptr;
        ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
        lm_model_info info{};
        lm_model_get_info(model, &info);
        uint64_t dense = 0, experts = 0, embedding = 0;
        bool has_output = false;
        for (int64_t i = 0; i < info.n_tensors; ++i) {
            lm_tensor_info t{};
            ASSERT_EQ(lm_model_tensor_info(model, i, &t), LM_OK);
            const std::string n = t.name;
            if (n == "token_embd.weight") embedding = t.n_bytes;
            if (n == "output.weight") has_output = true;
            (n.find("_exps.") != std::string::npos ? experts : dense) += t.n_bytes;
        }
        uint64_t want = dense - (has_output ? embedding : 0);
        if (info.n_expert > 0) want += experts / info.n_expert * info.n_expert_used;
        uint64_t got = 0;
        ASSERT_EQ(lm_model_decode_weight_bytes(model, &got), LM_OK);
        EXPECT_EQ(got, want) << name;
        if (info.n_expert > 0) EXPECT_GT(experts, 0u);
        lm_model_free(model);
    }
}

// KV bytes per position: latent attention keeps one latent plus a rotary key per layer (the value
// is the latent), far less than multi-head attention of its shape; grouped-query attention keeps
// n_head_kv of n_head heads; a session's cache is what the model says.
TEST(KvCacheSize, LatentAndGroupedAttentionAgainstMultiHead) {
    // deepseek2-f32: 2 layers, latent 32 + rotary 8, 4 heads of keys 24 and values 16; the
    // llama files from their hyperparameters.
    for (const char *name : {"models/deepseek2-f32.gguf", "models/llama3-gqa-f16.gguf", "models/llama2-mha-f32.gguf"}) {
        const std::string path = lamina::testing::require_test_file(name);
        ASSERT_FALSE(path.empty());
        lm_model *model = nullptr;
        ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
        lm_model_info info{};
        ASSERT_EQ(lm_model_get_info(model, &info), LM_OK);
        uint64_t want = 0, want_mha = 0;
        if (std::string(info.architecture) == "deepseek2") {
            want = 2u * (32 + 8) * 2, want_mha = 2u * 4 * (24 + 16) * 2;
        } else {
            want = uint64_t(info.n_layer) * info.n_head_kv * info.head_dim * 2 * 2;
            want_mha = uint64_t(info.n_layer) * info.n_head * info.head_dim * 2 * 2;
        }
        uint64_t got = 0, got_mha = 0, got_f32 = 0;
        ASSERT_EQ(lm_model_kv_bytes_per_token(model, nullptr, &got), LM_OK) << lm_last_error();
        ASSERT_EQ(lm_model_mha_kv_bytes_per_token(model, "f16", &got_mha), LM_OK) << lm_last_error();
        ASSERT_EQ(lm_model_kv_bytes_per_token(model, "f32", &got_f32), LM_OK) << lm_last_error();
        EXPECT_EQ(got, want) << name;
        EXPECT_EQ(got_mha, want_mha) << name;
        EXPECT_EQ(got_f32, 2 * want) << name;

        lm_session_params sp = lm_session_default_params();
        sp.n_ctx = 64;
        lm_session *session = nullptr;
        ASSERT_EQ(lm_session_new(model, sp, &session), LM_OK) << lm_last_error();
        uint64_t session_bytes = 0;
        ASSERT_EQ(lm_session_kv_bytes_per_token(session, &session_bytes), LM_OK);
        EXPECT_EQ(session_bytes, got) << name;
        lm_session_free(session);

        uint64_t unused = 0;
        EXPECT_EQ(lm_model_kv_bytes_per_token(model, "q4_0", &unused), LM_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(lm_last_error()).find("q4_0"), std::string::npos) << lm_last_error();
        if (std::string(info.architecture) == "deepseek2") {
            EXPECT_EQ(lm_model_kv_bytes_per_token(model, "q8_0", &unused), LM_ERR_UNSUPPORTED);
        }
        lm_model_free(model);
    }
}

}  // namespace
