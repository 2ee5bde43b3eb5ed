// The sampler chain through the C ABI: specs and their errors, each sampler's effect on a
// distribution whose numbers can be worked out by hand, memory (penalties, mirostat), and
// determinism (same seed + specs + logits = same tokens).
#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "lamina.h"
#include "test_data.h"

namespace {

// Logits whose softmax is 0.4, 0.3, 0.2, 0.1 for tokens 0..3.
const std::vector<float> kFour = {std::log(0.4f), std::log(0.3f), std::log(0.2f), std::log(0.1f)};

struct Chain {
    lm_sampler *s = nullptr;
    Chain(std::initializer_list<const char *> specs, uint64_t seed = 7, const lm_model *model = nullptr) {
        EXPECT_EQ(lm_sampler_new(model, seed, &s), LM_OK) << lm_last_error();
        for (const char *spec : specs) EXPECT_EQ(lm_sampler_add(s, spec), LM_OK) << spec << ": " << lm_last_error();
    }
    ~Chain() { lm_sampler_free(s); }
    lm_token sample(const std::vector<float> &logits) {
        lm_token t = -1;
        EXPECT_EQ(lm_sampler_sample(s, logits.data(), static_cast<int32_t>(logits.size()), &t), LM_OK)
            << lm_last_error();
        return t;
    }
    std::vector<lm_token> draws(const std::vector<float> &logits, int n) {
        std::vector<lm_token> out;
        for (int i = 0; i < n; ++i) out.push_back(sample(logits));
        return out;
    }
    std::set<lm_token> seen(const std::vector<float> &logits, int n = 400) {
        const std::vector<lm_token> d = draws(logits, n);
        return {d.begin(), d.end()};
    }
};

std::string two_call(lm_status (*f)(char *, size_t, size_t *)) {
    size_t len = 0;
    EXPECT_EQ(f(nullptr, 0, &len), LM_ERR_BUFFER_TOO_SMALL);
    std::string s(len, '\0');
    EXPECT_EQ(f(s.data(), len, &len), LM_OK);
    return s;
}

std::string add_error(const char *spec, std::initializer_list<const char *> before = {}) {
    lm_sampler *s = nullptr;
    EXPECT_EQ(lm_sampler_new(nullptr, 1, &s), LM_OK);
    for (const char *b : before) EXPECT_EQ(lm_sampler_add(s, b), LM_OK) << b;
    EXPECT_EQ(lm_sampler_add(s, spec), LM_ERR_INVALID_ARGUMENT) << spec;
    std::string message = lm_last_error();
    int32_t n = -1;
    EXPECT_EQ(lm_sampler_n(s, &n), LM_OK);
    EXPECT_EQ(n, static_cast<int32_t>(before.size())) << "a refused spec must leave the chain as it was";
    lm_sampler_free(s);
    return message;
}

TEST(SamplerChain, CatalogAndDefaultChainParse) {
    const std::string catalog = two_call(lm_sampler_catalog);
    for (const char *name : {"logit_bias", "penalties", "dry", "top_k", "typical", "top_p", "min_p", "xtc", "temperature",
                             "mirostat", "mirostat_v2", "greedy", "dist"}) {
        EXPECT_NE(catalog.find(std::string(name)), std::string::npos) << name;
    }
    const std::string chain = two_call(lm_sampler_default_chain);
    EXPECT_EQ(chain,
              "penalties last_n=64 repeat=1 frequency=0 presence=0\ndry multiplier=0 base=1.75 allowed_length=2 last_n=-1\ntop_k k=40\ntypical p=1 min_keep=1\n"
              "top_p p=0.95 min_keep=1\nmin_p p=0.05 min_keep=1\nxtc probability=0 threshold=0.1 min_keep=1\n"
              "temperature t=0.8 range=0 exponent=1\ndist\n");
    lm_sampler *s = nullptr;
    ASSERT_EQ(lm_sampler_new(nullptr, 1, &s), LM_OK);
    size_t start = 0;
    int lines = 0;
    while (start < chain.size()) {
        const size_t nl = chain.find('\n', start);
        EXPECT_EQ(lm_sampler_add(s, chain.substr(start, nl - start).c_str()), LM_OK) << lm_last_error();
        start = nl + 1;
        ++lines;
    }
    int32_t n = 0;
    EXPECT_EQ(lm_sampler_n(s, &n), LM_OK);
    EXPECT_EQ(n, lines);
    lm_sampler_free(s);
    // Every catalog line (before its tab) is a valid spec too.
    start = 0;
    while (start < catalog.size()) {
        const size_t nl = catalog.find('\n', start);
        std::string line = catalog.substr(start, catalog.find('\t', start) - start);
        if (line.find(" TOKEN=BIAS...") != std::string::npos) line = line.substr(0, line.find(" TOKEN=BIAS..."));
        Chain c({line.c_str()});
        start = nl + 1;
    }
}

TEST(SamplerChain, BadSpecsNameTheProblem) {
    std::string m = add_error("top_q p=0.5");
    EXPECT_NE(m.find("unknown sampler 'top_q'"), std::string::npos) << m;
    EXPECT_NE(m.find("mirostat_v2"), std::string::npos) << m;
    m = add_error("top_k n=3");
    EXPECT_NE(m.find("unknown key 'n' (top_k takes: k)"), std::string::npos) << m;
    m = add_error("top_p p=1.5");
    EXPECT_NE(m.find("p = 1.5 is out of range"), std::string::npos) << m;
    m = add_error("top_k k=2.5");
    EXPECT_NE(m.find("whole number"), std::string::npos) << m;
    m = add_error("temperature t=hot");
    EXPECT_NE(m.find("t = 'hot' is not a finite number"), std::string::npos) << m;
    m = add_error("min_p p=0.1 p=0.2");
    EXPECT_NE(m.find("given twice"), std::string::npos) << m;
    m = add_error("top_k 40");
    EXPECT_NE(m.find("'40' is not KEY=VALUE"), std::string::npos) << m;
    m = add_error("top_k k=1", {"greedy"});
    EXPECT_NE(m.find("must come last"), std::string::npos) << m;
    m = add_error("logit_bias x=1");
    EXPECT_NE(m.find("'x' is not a token id"), std::string::npos) << m;
    m = add_error("logit_bias 3=+inf");
    EXPECT_NE(m.find("not a finite number or -inf"), std::string::npos) << m;
    m = add_error("");
    EXPECT_NE(m.find("empty sampler spec"), std::string::npos) << m;
    m = add_error("top_k \"quoted");
    EXPECT_NE(m.find("not closed"), std::string::npos) << m;
    lm_sampler *s = nullptr;
    EXPECT_EQ(lm_sampler_add(s, "greedy"), LM_ERR_INVALID_ARGUMENT);
}

TEST(SamplerChain, SameSeedSameTokensAndResetRestarts) {
    std::vector<float> logits(100);
    for (size_t i = 0; i < logits.size(); ++i) logits[i] = static_cast<float>((i * 37) % 11) * 0.3f;
    const std::initializer_list<const char *> specs = {"top_k k=0", "temperature t=1"};
    Chain a(specs, 42), b(specs, 42), c(specs, 43);
    const std::vector<lm_token> da = a.draws(logits, 60), db = b.draws(logits, 60), dc = c.draws(logits, 60);
    EXPECT_EQ(da, db);
    EXPECT_NE(da, dc);
    EXPECT_GT(std::set<lm_token>(da.begin(), da.end()).size(), 5u);
    ASSERT_EQ(lm_sampler_reset(a.s), LM_OK);
    EXPECT_EQ(a.draws(logits, 60), da);
}

TEST(SamplerChain, GreedyAndZeroTemperaturePickTheMostLikely) {
    Chain greedy({"greedy"}), cold({"temperature t=0"}), k1({"top_k k=1", "temperature t=5"});
    EXPECT_EQ(greedy.seen(kFour, 20), std::set<lm_token>{0});
    EXPECT_EQ(cold.seen(kFour, 50), std::set<lm_token>{0});
    EXPECT_EQ(k1.seen(kFour, 50), std::set<lm_token>{0});
    Chain open({"dist"});
    EXPECT_EQ(open.seen(kFour), (std::set<lm_token>{0, 1, 2, 3}));
}

TEST(SamplerChain, TruncatingSamplersKeepWhatTheyShould) {
    // 0.4 + 0.3 reaches 0.5: tokens 0 and 1.
    EXPECT_EQ(Chain({"top_p p=0.5"}).seen(kFour), (std::set<lm_token>{0, 1}));
    EXPECT_EQ(Chain({"top_p p=0.5 min_keep=3"}).seen(kFour), (std::set<lm_token>{0, 1, 2}));
    // 0.6 x 0.4 = 0.24: tokens 0 and 1.
    EXPECT_EQ(Chain({"min_p p=0.6"}).seen(kFour), (std::set<lm_token>{0, 1}));
    EXPECT_EQ(Chain({"top_k k=3"}).seen(kFour), (std::set<lm_token>{0, 1, 2}));
    // Entropy 1.2799; |surprise - entropy| = 0.364, 0.076, 0.329, 1.023: tokens 1 then 2 reach 0.5 > 0.45.
    EXPECT_EQ(Chain({"typical p=0.45"}).seen(kFour), (std::set<lm_token>{1, 2}));
    // XTC at probability 1: tokens 0 and 1 are at least 0.25 likely, all but the last of them go.
    EXPECT_EQ(Chain({"xtc probability=1 threshold=0.25"}).seen(kFour), (std::set<lm_token>{1, 2, 3}));
    EXPECT_EQ(Chain({"xtc probability=0 threshold=0.25"}).seen(kFour), (std::set<lm_token>{0, 1, 2, 3}));
}

TEST(SamplerChain, DynamicTemperatureFollowsTheEntropy) {
    // range 0.5 around 1: normalized entropy h = 1.2799 / ln 4 = 0.9233, so t = 0.5 + 1.0 * h^2.
    const double h = 1.2798542258336676 / std::log(4.0);
    const std::string plain = "temperature t=" + std::to_string(0.5 + h * h);
    Chain dynamic({"temperature t=1 range=0.5 exponent=2"}, 5), fixed({plain.c_str()}, 5);
    EXPECT_EQ(dynamic.draws(kFour, 200), fixed.draws(kFour, 200));
    Chain other({"temperature t=1"}, 5), same({"temperature t=1 range=0.5 exponent=2"}, 5);
    EXPECT_NE(other.draws(kFour, 200), same.draws(kFour, 200));
}

TEST(SamplerChain, PenaltiesLookAtTheLastNAcceptedTokens) {
    const std::vector<float> logits = {2.0f, 1.5f, -1.0f};
    Chain c({"penalties last_n=3 repeat=2", "greedy"});
    EXPECT_EQ(c.sample(logits), 0);
    ASSERT_EQ(lm_sampler_accept(c.s, 0), LM_OK);
    EXPECT_EQ(c.sample(logits), 1);  // 2.0 / 2 = 1.0 < 1.5
    for (int i = 0; i < 3; ++i) ASSERT_EQ(lm_sampler_accept(c.s, 2), LM_OK);
    EXPECT_EQ(c.sample(logits), 0);  // token 0 has left the window
    ASSERT_EQ(lm_sampler_reset(c.s), LM_OK);
    EXPECT_EQ(c.sample(logits), 0);

    const std::vector<float> close = {1.0f, 0.5f};
    Chain freq({"penalties last_n=8 frequency=0.3", "greedy"}), mild({"penalties last_n=8 frequency=0.2", "greedy"}),
        presence({"penalties last_n=8 presence=0.6", "greedy"});
    for (Chain *x : {&freq, &mild, &presence}) {
        ASSERT_EQ(lm_sampler_accept(x->s, 0), LM_OK);
        ASSERT_EQ(lm_sampler_accept(x->s, 0), LM_OK);
    }
    EXPECT_EQ(freq.sample(close), 1);      // 1.0 - 2 x 0.3 = 0.4
    EXPECT_EQ(mild.sample(close), 0);      // 1.0 - 2 x 0.2 = 0.6
    EXPECT_EQ(presence.sample(close), 1);  // 1.0 - 0.6 = 0.4
    Chain negative({"penalties last_n=8 repeat=2", "greedy"});
    ASSERT_EQ(lm_sampler_accept(negative.s, 0), LM_OK);
    EXPECT_EQ(negative.sample({-1.0f, -1.5f}), 1);  // -1.0 x 2 = -2.0
}

TEST(SamplerChain, LogitBiasBansAndFavours) {
    EXPECT_EQ(Chain({"logit_bias 0=-inf", "greedy"}).sample(kFour), 1);
    EXPECT_EQ(Chain({"logit_bias 3=5", "greedy"}).sample(kFour), 3);
    EXPECT_EQ(Chain({"logit_bias 0=-inf 1=-inf 2=-inf"}).seen(kFour, 50), std::set<lm_token>{3});
    // After a sorting sampler, the bias still finds its token.
    EXPECT_EQ(Chain({"top_k k=4", "logit_bias 0=-inf", "greedy"}).sample(kFour), 1);
    Chain banned({"logit_bias 0=-inf 1=-inf"});
    lm_token t = -1;
    const std::vector<float> two = {0.0f, 1.0f};
    EXPECT_EQ(lm_sampler_sample(banned.s, two.data(), 2, &t), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("every token is banned"), std::string::npos) << lm_last_error();
}

TEST(SamplerChain, WithAModelTokensAndVocabularyAreChecked) {
    const std::string path = lamina::testing::require_test_file("models/stories260K-f32.gguf");
    ASSERT_FALSE(path.empty());
    lm_model *model = nullptr;
    ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    lm_sampler *s = nullptr;
    ASSERT_EQ(lm_sampler_new(model, 1, &s), LM_OK);
    EXPECT_EQ(lm_sampler_add(s, "logit_bias 100000=1"), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("outside the vocabulary (512 tokens)"), std::string::npos)
        << lm_last_error();
    std::vector<float> logits(100, 0.0f);
    lm_token t = -1;
    EXPECT_EQ(lm_sampler_sample(s, logits.data(), 100, &t), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("n_vocab 100 is not the model's 512"), std::string::npos)
        << lm_last_error();
    lm_sampler_free(s);
    lm_model_free(model);
}

std::string piece_of(const lm_model *model, lm_token t) {
    char buf[256];
    size_t len = 0;
    EXPECT_EQ(lm_token_to_piece(model, t, true, buf, sizeof buf, &len), LM_OK) << lm_last_error();
    return std::string(buf, len);
}

// History 10 11 12 10 11: the repeat "10 11" (2 tokens) was followed by 12, so DRY lowers 12.
TEST(SamplerChain, DryPenalisesTheTokenThatWouldExtendARepeat) {
    const std::string path = lamina::testing::require_test_file("models/stories260K-f32.gguf");
    ASSERT_FALSE(path.empty());
    lm_model *model = nullptr;
    ASSERT_EQ(lm_model_load(path.c_str(), lm_model_default_params(), &model), LM_OK) << lm_last_error();
    std::vector<float> logits(512, 0.0f);
    logits[12] = 1.0f;
    logits[13] = 0.5f;
    auto pick = [&](const char *dry) {
        Chain c({dry, "greedy"}, 1, model);
        for (lm_token t : {10, 11, 12, 10, 11}) EXPECT_EQ(lm_sampler_accept(c.s, t), LM_OK);
        return c.sample(logits);
    };
    EXPECT_EQ(pick("dry multiplier=0.8 base=1.75 allowed_length=2"), 13);  // 1.0 - 0.8 < 0.5
    EXPECT_EQ(pick("dry multiplier=0.4 base=1.75 allowed_length=2"), 12);  // 1.0 - 0.4 > 0.5
    EXPECT_EQ(pick("dry multiplier=0.8 allowed_length=3"), 12);            // the repeat is too short
    EXPECT_EQ(pick("dry multiplier=0"), 12);
    // With the last token's text as a sequence breaker no repeat reaches back past it.
    const std::string breaker = "dry multiplier=0.8 allowed_length=1 \"" + piece_of(model, 11) + "\"";
    EXPECT_EQ(pick("dry multiplier=0.8 allowed_length=1"), 13);
    EXPECT_EQ(pick(breaker.c_str()), 12) << breaker;
    // Without a model it cannot find its breakers.
    lm_sampler *s = nullptr;
    ASSERT_EQ(lm_sampler_new(nullptr, 1, &s), LM_OK);
    EXPECT_EQ(lm_sampler_add(s, "dry multiplier=0.8"), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("needs the model's vocabulary"), std::string::npos);
    EXPECT_EQ(lm_sampler_add(s, "dry"), LM_OK) << "off by default, so no vocabulary is needed";
    lm_sampler_free(s);
    lm_model_free(model);
}

TEST(SamplerChain, MirostatV2HoldsTheSurpriseNearTau) {
    // A tiny tau leaves only the most likely token; a large one samples widely.
    EXPECT_EQ(Chain({"mirostat_v2 tau=0.01 eta=0.1"}).seen(kFour, 30), std::set<lm_token>{0});
    EXPECT_EQ(Chain({"mirostat_v2 tau=10 eta=0.1"}).seen(kFour), (std::set<lm_token>{0, 1, 2, 3}));
    Chain a({"temperature t=1", "mirostat_v2"}, 3), b({"temperature t=1", "mirostat_v2"}, 3);
    EXPECT_EQ(a.draws(kFour, 100), b.draws(kFour, 100));
    // With tau = 1.5 bits the chain keeps the tokens of surprise <= mu and mu follows the error.
    Chain c({"mirostat_v2 tau=1.5 eta=0.5"}, 11);
    const std::set<lm_token> seen = c.seen(kFour);
    EXPECT_TRUE(seen.count(0) && seen.count(1)) << "tau 1.5 bits should admit the two most likely tokens";
}

TEST(SamplerChain, MirostatV1KeepsTheTopKOfItsZipfEstimate) {
    // On an exact Zipf distribution (p_i ~ (i+1)^-s) the estimate is s itself, so the first draw
    // keeps int(k) tokens, k = (eps 2^mu / (1 - N^-eps))^(1/s) with eps = s - 1 and mu = 2 tau.
    const int n = 1000;
    const double s = 1.2, eps = s - 1, k = 3.5;
    std::vector<float> zipf(n);
    for (int i = 0; i < n; ++i) zipf[static_cast<size_t>(i)] = static_cast<float>(-s * std::log(i + 1.0));
    const double mu = std::log2(std::pow(k, s) * (1 - std::pow(double(n), -eps)) / eps);
    const std::string spec = "mirostat tau=" + std::to_string(mu / 2) + " eta=0.1 m=100";
    std::set<lm_token> first;
    for (uint64_t seed = 1; seed <= 300; ++seed) first.insert(Chain({spec.c_str()}, seed).sample(zipf));
    EXPECT_EQ(first, (std::set<lm_token>{0, 1, 2}));
    // Same seed, same tokens; a tiny tau gives the most likely token only.
    Chain a({"temperature t=1", spec.c_str()}, 5), b({"temperature t=1", spec.c_str()}, 5);
    EXPECT_EQ(a.draws(zipf, 50), b.draws(zipf, 50));
    EXPECT_EQ(Chain({"mirostat tau=0.01"}).seen(zipf, 30), std::set<lm_token>{0});
    EXPECT_GT(Chain({"mirostat tau=8"}).seen(zipf, 200).size(), 20u);
}

}  // namespace
