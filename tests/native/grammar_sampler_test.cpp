// The grammar sampler through the C ABI on a real vocabulary: sampled tokens always keep the
// text inside the grammar whatever the logits prefer, the end of generation comes only when the
// text is complete, and misuse is an error naming the problem.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "common/json_value.h"
#include "lamina.h"
#include "sampling/grammar/gbnf_parser.h"
#include "sampling/grammar/grammar_matcher.h"
#include "test_data.h"

namespace {

struct Model {
    lm_model *m = nullptr;
    lm_model_info info{};
    Model() {
        const std::string path = lamina::testing::require_test_file("models/llama2-mha-f32.gguf");
        if (path.empty()) return;
        EXPECT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &m), LM_OK) << lm_last_error();
        if (m != nullptr) EXPECT_EQ(lm_model_get_info(m, &info), LM_OK);
    }
    ~Model() { lm_model_free(m); }
    // The token whose text is exactly `text`.
    lm_token token_of(const std::string &text) const {
        for (lm_token t = 0; t < info.n_vocab; ++t) {
            if (piece(t) == text) return t;
        }
        ADD_FAILURE() << "no token '" << text << "'";
        return 0;
    }
    std::string piece(lm_token t) const {
        char buf[256];
        size_t len = 0;
        EXPECT_EQ(lm_token_to_piece(m, t, false, buf, sizeof buf, &len), LM_OK) << lm_last_error();
        return std::string(buf, len);
    }
};

std::string schema_grammar(const char *schema) {
    size_t len = 0;
    EXPECT_EQ(lm_json_schema_to_grammar(schema, nullptr, 0, &len), LM_ERR_BUFFER_TOO_SMALL) << lm_last_error();
    std::string out(len, '\0');
    EXPECT_EQ(lm_json_schema_to_grammar(schema, out.data(), out.size(), &len), LM_OK) << lm_last_error();
    return out;
}

// Samples until an end-of-generation token (or max tokens): the text and whether it ended.
struct Output {
    std::string text;
    bool ended = false;
};

Output generate(const Model &model, const std::string &gbnf, uint64_t seed, const std::vector<float> &bias, int max) {
    lm_sampler *s = nullptr;
    EXPECT_EQ(lm_sampler_new(model.m, seed, &s), LM_OK);
    EXPECT_EQ(lm_sampler_add(s, "temperature t=1.5"), LM_OK);
    EXPECT_EQ(lm_sampler_add_grammar(s, gbnf.c_str(), nullptr), LM_OK) << lm_last_error();
    std::mt19937 rng(static_cast<uint32_t>(seed));
    std::normal_distribution<float> noise(0.0f, 2.0f);
    std::vector<float> logits(static_cast<size_t>(model.info.n_vocab));
    Output run;
    for (int i = 0; i < max; ++i) {
        for (size_t k = 0; k < logits.size(); ++k) logits[k] = noise(rng) + (bias.empty() ? 0.0f : bias[k]);
        lm_token t = -1;
        EXPECT_EQ(lm_sampler_sample(s, logits.data(), model.info.n_vocab, &t), LM_OK) << lm_last_error();
        EXPECT_EQ(lm_sampler_accept(s, t), LM_OK) << lm_last_error();
        bool eog = false;
        EXPECT_EQ(lm_token_is_eog(model.m, t, &eog), LM_OK);
        if (eog) {
            run.ended = true;
            break;
        }
        run.text += model.piece(t);
    }
    lm_sampler_free(s);
    return run;
}

bool complete_match(const std::string &gbnf, const std::string &text) {
    lamina::grammar::GrammarMatcher m(lamina::grammar::parse_gbnf(gbnf));
    return m.accept(text) && m.can_end();
}

TEST(GrammarSampler, SampledJsonFollowsTheSchema) {
    Model model;
    ASSERT_NE(model.m, nullptr);
    const std::string gbnf = schema_grammar(
        R"({"type":"object","properties":{"color":{"enum":["red","green","blue"]},"n":{"type":"integer","minimum":0,"maximum":99},"tags":{"type":"array","items":{"type":"string","maxLength":4},"maxItems":2}},"required":["color","n"]})");
    // The end-of-generation token is the noise's favourite: it must still wait for a whole object.
    std::vector<float> bias(static_cast<size_t>(model.info.n_vocab), 0.0f);
    bias[static_cast<size_t>(model.info.eos)] = 8.0f;
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        const Output run = generate(model, gbnf, seed, bias, 400);
        ASSERT_TRUE(run.ended) << "seed " << seed << ": " << run.text;
        EXPECT_TRUE(complete_match(gbnf, run.text)) << run.text;
        const lamina::JsonValue v = lamina::parse_json(run.text);
        ASSERT_TRUE(v.is_object()) << run.text;
        const lamina::JsonValue *color = v.find("color");
        ASSERT_NE(color, nullptr) << run.text;
        EXPECT_TRUE(color->text() == "red" || color->text() == "green" || color->text() == "blue") << run.text;
        ASSERT_NE(v.find("n"), nullptr) << run.text;
        EXPECT_LE(v.find("n")->as_number(), 99) << run.text;
    }
}

TEST(GrammarSampler, TheGrammarWinsOverTheLogitsFavourite) {
    Model model;
    ASSERT_NE(model.m, nullptr);
    // Every letter-only token is strongly preferred; the grammar wants digits.
    std::vector<float> bias(static_cast<size_t>(model.info.n_vocab), 0.0f);
    for (lm_token t = 0; t < model.info.n_vocab; ++t) {
        const std::string p = model.piece(t);
        if (!p.empty() && p.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) bias[t] = 20.0f;
    }
    const std::string gbnf = "root ::= [0-9]{3} \"-\" [0-9]{2}\n";
    for (uint64_t seed = 1; seed <= 10; ++seed) {
        const Output run = generate(model, gbnf, seed, bias, 50);
        EXPECT_TRUE(run.ended);
        EXPECT_TRUE(complete_match(gbnf, run.text)) << run.text;
    }
}

TEST(GrammarSampler, MisuseIsAnErrorNamingTheProblem) {
    Model model;
    ASSERT_NE(model.m, nullptr);
    lm_sampler *bare = nullptr;
    ASSERT_EQ(lm_sampler_new(nullptr, 1, &bare), LM_OK);
    EXPECT_EQ(lm_sampler_add_grammar(bare, "root ::= \"a\"", nullptr), LM_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(lm_last_error(), "a grammar needs the model's vocabulary: make the sampler with a model");
    lm_sampler_free(bare);

    lm_sampler *s = nullptr;
    ASSERT_EQ(lm_sampler_new(model.m, 1, &s), LM_OK);
    EXPECT_EQ(lm_sampler_add_grammar(s, "root ::= \"a\"\nb ::= [a-\n", nullptr), LM_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(lm_last_error(), "grammar: line 2, column 7: a character class is not closed with ']' on its line");
    EXPECT_EQ(lm_sampler_add_grammar(s, "item ::= \"a\"", "list"), LM_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(lm_last_error(), "grammar: no rule named 'list' (the start rule)");
    ASSERT_EQ(lm_sampler_add_grammar(s, "item ::= \"ab\"", "item"), LM_OK) << lm_last_error();
    EXPECT_EQ(lm_sampler_add_grammar(s, "root ::= \"a\"", nullptr), LM_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(lm_last_error(), "the sampler chain already has a grammar (one per chain)");
    // "ab" must come first: EOS now, or a token with other text, is refused and changes nothing.
    EXPECT_EQ(lm_sampler_accept(s, model.info.eos), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("before the grammar is complete"), std::string::npos);
    EXPECT_EQ(lm_sampler_accept(s, model.token_of("z")), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("is not allowed by the grammar here"), std::string::npos)
        << lm_last_error();
    EXPECT_EQ(lm_sampler_accept(s, model.token_of("a")), LM_OK) << lm_last_error();
    EXPECT_EQ(lm_sampler_accept(s, model.token_of("b")), LM_OK) << lm_last_error();
    EXPECT_EQ(lm_sampler_accept(s, model.info.eos), LM_OK) << lm_last_error();
    lm_sampler_free(s);

    char small[4];
    size_t len = 0;
    EXPECT_EQ(lm_json_schema_to_grammar(R"({"type":"integer"})", small, sizeof small, &len), LM_ERR_BUFFER_TOO_SMALL);
    EXPECT_GT(len, sizeof small);
    EXPECT_EQ(lm_json_schema_to_grammar("{\"type\":", nullptr, 0, &len), LM_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(lm_last_error(), "JSON schema: line 1, column 9: expected a value, found the end of the text");
}

// Not a benchmark: prints what one mask costs on a 32000-token vocabulary, in the states a JSON
// output is in most of the time, so a slowdown is visible in the test log.
TEST(GrammarSampler, MaskCostIsPrinted) {
    Model model;
    ASSERT_NE(model.m, nullptr);
    const std::string gbnf = schema_grammar(R"({"type":"object"})");
    lm_sampler *s = nullptr;
    ASSERT_EQ(lm_sampler_new(model.m, 1, &s), LM_OK);
    ASSERT_EQ(lm_sampler_add(s, "greedy"), LM_OK);
    ASSERT_EQ(lm_sampler_add_grammar(s, gbnf.c_str(), nullptr), LM_OK) << lm_last_error();
    for (const char *text : {"{", "\"", "name", "\":", " \"", "a"}) {
        ASSERT_EQ(lm_sampler_accept(s, model.token_of(text)), LM_OK) << text << ": " << lm_last_error();
    }
    // Every logit equal but a banned favourite: the fast path fails and the mask runs each time.
    std::vector<float> logits(static_cast<size_t>(model.info.n_vocab), 0.0f);
    logits[static_cast<size_t>(model.info.eos)] = 50.0f;
    const int reps = 20;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) {
        lm_token t = -1;
        ASSERT_EQ(lm_sampler_sample(s, logits.data(), model.info.n_vocab, &t), LM_OK) << lm_last_error();
        ASSERT_NE(t, model.info.eos);
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
    std::printf("grammar mask inside a JSON string, 32000-token vocabulary: %.2f ms per sample\n", ms);
    RecordProperty("mask_ms", std::to_string(ms));
    lm_sampler_free(s);
}

}  // namespace
