// The acceptance test against llama.cpp, through the C ABI, for each case of
// tests/golden_cases.txt: the golden prompt tokenizes to prompt_ids; every stored row of the
// batched prompt logits (all positions, or those logits_rows lists) is within the case's bounds
// (../shared/README.md); greedy decoding one token at a time gives greedy_ids; and the logits of
// the decode steps the golden keeps (decode_logits_file) are within the same bounds, step by
// step. With each KV cache type (llama.cpp made the goldens with an F16 cache).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <dirent.h>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "golden_cases.h"
#include "golden_files.h"
#include "logit_rows.h"
#include "lamina.h"

using lamina::testing::GoldenCase;
using lamina::testing::GoldenModelCase;
using lamina::testing::row_cosine;
using lamina::testing::row_relative_error;

namespace {

// Q8_0 keys and values add their own rounding (about 0.4% a value) on top of the model's: F32
// and F16 models are then held to the quantized models' bound, not to their own.
constexpr double kQ8_0KvTolerance = 5e-2;
constexpr double kQ8_0KvMinCosine = 0.999;

GoldenModelCase for_kv_type(GoldenModelCase c, const std::string &kv_type) {
    if (kv_type == "q8_0") {
        c.tolerance = std::max(c.tolerance, kQ8_0KvTolerance);
        c.min_cosine = std::max(c.min_cosine, kQ8_0KvMinCosine);
    }
    return c;
}

// Whether logits a and b of a row differ by no more than the row tolerance allows.
bool near_tie(const float *logits, int32_t n_vocab, lm_token a, lm_token b, double tolerance) {
    double scale = 0;
    for (int32_t i = 0; i < n_vocab; ++i) scale = std::max(scale, std::fabs(static_cast<double>(logits[i])));
    return std::fabs(static_cast<double>(logits[a]) - logits[b]) <= tolerance * scale;
}

// The worst relative error and cosine over the rows one check compared.
struct RowStats {
    int rows = 0;
    double worst = 0, worst_cos = 1;
};

// Compares one row of ours with the golden's within the case's bounds; `what` names the row.
void expect_row(const float *ours, const float *golden, int32_t n_vocab, const GoldenModelCase &c,
                const std::string &what, RowStats &stats) {
    const double err = row_relative_error(ours, golden, n_vocab);
    const double cos = row_cosine(ours, golden, n_vocab);
    ++stats.rows;
    stats.worst = std::max(stats.worst, std::isnan(err) ? INFINITY : err);
    stats.worst_cos = std::min(stats.worst_cos, std::isnan(cos) ? -1.0 : cos);
    EXPECT_LE(err, c.tolerance) << c.golden << " " << what << ": relative error";
    EXPECT_GE(cos, c.min_cosine) << c.golden << " " << what << ": cosine";
}

class GoldenModelTest : public ::testing::TestWithParam<std::tuple<GoldenModelCase, const char *>> {};

TEST_P(GoldenModelTest, MatchesLlamaCpp) {
    const char *kv_type = std::get<1>(GetParam());
    const GoldenModelCase p = for_kv_type(std::get<0>(GetParam()), kv_type);
    const char *name = p.golden.c_str();
    GoldenCase g;
    ASSERT_TRUE(lamina::testing::load_golden(p.golden, p.model, g));
    ASSERT_EQ(g.model_name, p.model + ".gguf") << "tests/golden_cases.txt pairs golden " << p.golden
                                               << " with another model than the golden's own";

    lm_model *model = nullptr;
    ASSERT_EQ(lm_model_load(g.model_file.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    lm_model_info info{};
    ASSERT_EQ(lm_model_get_info(model, &info), LM_OK);
    ASSERT_EQ(info.n_vocab, g.n_vocab);

    // 1. Tokenization (BOS as the model asks, special tokens parsed).
    std::vector<lm_token> ids(g.prompt.size() + 8);
    size_t n_ids = 0;
    ASSERT_EQ(lm_tokenize(model, g.prompt.data(), g.prompt.size(), info.add_bos, true, ids.data(), ids.size(), &n_ids),
              LM_OK) << lm_last_error();
    ids.resize(n_ids);
    EXPECT_EQ(ids, g.prompt_ids) << "prompt: " << g.prompt;

    // 2. The whole prompt in one batch; the stored rows of it.
    const int32_t n = static_cast<int32_t>(g.prompt_ids.size());
    lm_session_params sp = lm_session_default_params();
    sp.n_ctx = std::max<int32_t>(512, n + static_cast<int32_t>(g.greedy_ids.size()));
    sp.n_threads = 2;
    sp.kv_type = kv_type;
    lm_session *session = nullptr;
    if (std::string(kv_type) == "q8_0" && info.head_dim % 32 != 0) {
        // Q8_0 blocks cannot hold a head of this size: the session must say so, naming it.
        EXPECT_EQ(lm_session_new(model, sp, &session), LM_ERR_UNSUPPORTED);
        EXPECT_NE(std::string(lm_last_error()).find("is " + std::to_string(info.head_dim)), std::string::npos)
            << lm_last_error();
        std::printf("[ %s, kv q8_0 ] refused as expected: %s\n", name, lm_last_error());
        lm_model_free(model);
        return;
    }
    ASSERT_EQ(lm_session_new(model, sp, &session), LM_OK) << lm_last_error();
    ASSERT_EQ(lm_session_eval(session, g.prompt_ids.data(), n, 0, true), LM_OK) << lm_last_error();
    int32_t n_rows = 0;
    ASSERT_EQ(lm_session_n_logit_rows(session, &n_rows), LM_OK);
    ASSERT_EQ(n_rows, n);
    RowStats prompt;
    for (size_t j = 0; j < g.logits_rows.size(); ++j) {
        const int32_t row = g.logits_rows[j];
        const float *logits = nullptr;
        ASSERT_EQ(lm_session_logits(session, row, &logits), LM_OK);
        expect_row(logits, g.logits_row(j), g.n_vocab, p, "prompt row " + std::to_string(row), prompt);
    }
    std::printf("[ %s, cpu %s, kv %s ] %d%s prompt rows: worst relative error %.3g (tolerance %.g), worst cosine %.6f\n",
                name, lm_cpu_variant(), kv_type, prompt.rows, g.sampled_rows ? " stored" : "", prompt.worst,
                p.tolerance, prompt.worst_cos);

    // 3. Greedy decoding one token at a time, feeding the golden's greedy ids: at each step the
    // greedy choice of our logits must be the golden's id, and after feeding greedy_ids[k] the
    // logits must be the golden's decode row k (for the steps it keeps). A near tie (two
    // candidates within the logit tolerance of each other: rounding the tolerance allows, here
    // the KV cache's, may pick either) is reported and the golden's id fed, so the steps after it
    // are still compared.
    lm_sampler *sampler = nullptr;
    ASSERT_EQ(lm_sampler_new(nullptr, 0, &sampler), LM_OK);
    ASSERT_EQ(lm_sampler_add(sampler, "greedy"), LM_OK);
    std::vector<lm_token> generated, expected;
    const float *last = nullptr;
    ASSERT_EQ(lm_session_logits(session, -1, &last), LM_OK);
    RowStats decode;
    for (size_t step = 0; step < g.greedy_ids.size(); ++step) {
        const lm_token want = g.greedy_ids[step];
        ASSERT_TRUE(want >= 0 && want < g.n_vocab) << name << ": greedy_ids[" << step << "] = " << want;
        lm_token next = -1;
        ASSERT_EQ(lm_sampler_sample(sampler, last, g.n_vocab, &next), LM_OK);
        if (next != want && near_tie(last, g.n_vocab, next, want, p.tolerance)) {
            std::printf("[ %s, kv %s ] step %zu: %d and golden %d tie within the tolerance; not compared\n", name,
                        kv_type, step, next, want);
        } else {
            generated.push_back(next);
            expected.push_back(want);
        }
        ASSERT_EQ(lm_session_eval(session, &want, 1, n + static_cast<int32_t>(step), false), LM_OK)
            << name << " step " << step << ": " << lm_last_error();
        ASSERT_EQ(lm_session_logits(session, -1, &last), LM_OK);
        if (static_cast<int32_t>(step) < g.decode_steps)
            expect_row(last, g.decode_row(step), g.n_vocab, p,
                       "decode row " + std::to_string(step) + " (after greedy_ids[" + std::to_string(step) + "])",
                       decode);
    }
    EXPECT_EQ(generated, expected) << name << ": greedy ids (golden's where they differ)";
    EXPECT_GE(generated.size() + 2, g.greedy_ids.size()) << name << ": more than two near ties";
    if (decode.rows > 0)
        std::printf("[ %s, cpu %s, kv %s ] %d decode rows: worst relative error %.3g, worst cosine %.6f\n", name,
                    lm_cpu_variant(), kv_type, decode.rows, decode.worst, decode.worst_cos);

    lm_sampler_free(sampler);
    lm_session_free(session);
    lm_model_free(model);
}

// Every case with each KV cache type its line lists (all three unless it says otherwise).
std::vector<std::tuple<GoldenModelCase, const char *>> cases_and_kv_types() {
    std::vector<std::tuple<GoldenModelCase, const char *>> out;
    for (const GoldenModelCase &c : lamina::testing::golden_cases()) {
        for (const char *kv : {"f16", "f32", "q8_0"}) {
            if (c.checks_kv(kv)) out.emplace_back(c, kv);
        }
    }
    return out;
}

INSTANTIATE_TEST_SUITE_P(
    Models, GoldenModelTest,
    ::testing::ValuesIn(cases_and_kv_types()),
    [](const ::testing::TestParamInfo<std::tuple<GoldenModelCase, const char *>> &info) {
        std::string name = std::get<0>(info.param).golden + "_kv_" + std::get<1>(info.param);
        for (char &ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
        return name;
    });

// The table itself: readable, and naming every golden whose model loads, so a golden of a newly
// supported architecture cannot be left out of the comparison.
TEST(GoldenCaseTable, ListsEveryGoldenWhoseModelLoads) {
    const auto &table = lamina::testing::golden_case_table();
    ASSERT_TRUE(table.error.empty()) << table.error;
    ASSERT_FALSE(table.cases.empty()) << table.path << " lists no case";
    std::set<std::string> listed;
    for (const auto &c : table.cases) listed.insert(c.golden);

    const std::string dir = lamina::testing::test_data_dir() + "/golden";
    DIR *d = opendir(dir.c_str());
    ASSERT_NE(d, nullptr) << "cannot list " << dir << " (set LAMINA_TEST_DATA)";
    std::vector<std::string> goldens;
    while (const dirent *e = readdir(d)) {
        const std::string file = e->d_name;
        if (file.size() > 5 && file.compare(file.size() - 5, 5, ".json") == 0) goldens.push_back(file.substr(0, file.size() - 5));
    }
    closedir(d);
    std::sort(goldens.begin(), goldens.end());
    ASSERT_FALSE(goldens.empty()) << dir;
    for (const std::string &golden : goldens) {
        if (listed.count(golden) != 0) continue;
        std::string json;
        ASSERT_TRUE(lamina::testing::read_file(dir + "/" + golden + ".json", json));
        const std::string model_file = lamina::testing::json_string(json, "model");
        const std::string path = lamina::testing::test_data_dir() + "/models/" + model_file;
        lm_model *model = nullptr;
        const lm_status status = lm_model_load(path.c_str(), lm_model_default_params(), &model);
        lm_model_free(model);
        const std::string stem = model_file.substr(0, model_file.rfind(".gguf"));
        EXPECT_EQ(status, LM_ERR_UNSUPPORTED)
            << "golden " << golden << " is in no line of " << table.path << ", but its model " << model_file
            << (status == LM_OK ? " loads now" : std::string(" fails with ") + lm_status_name(status))
            << ": add the line '" << golden << "  " << stem << "  TOLERANCE  MIN_COSINE' (bounds in that file's header)";
        if (status == LM_ERR_UNSUPPORTED) std::printf("[ %s ] not compared yet: %s\n", golden.c_str(), lm_last_error());
    }
}

}  // namespace
