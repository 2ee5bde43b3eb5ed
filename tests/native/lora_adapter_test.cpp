// LoRA adapters (lamina.h "LoRA adapters") on stories260K: what a bad adapter file is refused
// for, that scale 0 and removal give the base model's logits exactly, that two adapters add up
// as one adapter of their concatenated ranks does, and that random adapters written by
// lm_lora_synthesize (as tests/reference/lora/README.md says) give llama.cpp's logits, in one
// batch and one token at a time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>
#include <ostream>
#include <fstream>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "lamina.h"
#include "logit_rows.h"
#include "test_data.h"

namespace {

constexpr int32_t kVocab = 512;
constexpr int64_t kEmbd = 64;  // stories260K: 64 wide, 5 layers, 8 heads / 4 KV heads of 8

// The prompt of tests/reference/lora/generate.mjs.
std::vector<lm_token> reference_prompt() {
    std::vector<lm_token> p(32);
    for (int32_t i = 0; i < 32; ++i) p[i] = 1 + (i * 37 + 11) % 500;
    return p;
}

std::string base_path() { return lamina::testing::require_test_file("models/stories260K-f32.gguf"); }

struct Half {
    std::string name;
    std::vector<int64_t> ne;
};

// An adapter file holding F32 tensors of the given names and shapes (values small and nonzero).
std::string write_adapter(const std::string &stem, const std::vector<Half> &halves, const std::string &arch = "llama",
                          const char *general_type = "adapter") {
    lamina::GgufWriter w;
    w.set_string("general.architecture", arch);
    if (general_type != nullptr) w.set_string("general.type", general_type);
    w.set_string("adapter.type", "lora");
    w.set_f32("adapter.lora.alpha", 8.0f);
    for (const Half &h : halves) {
        int64_t n = 1;
        for (int64_t d : h.ne) n *= d;
        std::vector<float> v(static_cast<size_t>(n));
        for (size_t i = 0; i < v.size(); ++i) v[i] = 0.01f * static_cast<float>(static_cast<int>(i % 7) - 3);
        w.add_tensor(h.name, lamina::GgmlType::F32, h.ne, v.data(), v.size() * sizeof(float));
    }
    const std::string path = lamina::testing::temp_path("lora-" + stem);
    w.write(path);
    return path;
}

class LoraAdapterTest : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string base = base_path();
        ASSERT_FALSE(base.empty());
        ASSERT_EQ(lm_model_load(base.c_str(), lm_model_default_params(), &model_), LM_OK) << lm_last_error();
        lm_session_params sp = lm_session_default_params();
        sp.n_ctx = 64;
        sp.n_threads = 2;
        sp.kv_type = "f32";
        ASSERT_EQ(lm_session_new(model_, sp, &session_), LM_OK) << lm_last_error();
    }
    void TearDown() override {
        lm_session_free(session_);
        for (lm_lora_adapter *a : adapters_) lm_lora_adapter_free(a);
        lm_model_free(model_);
        for (const std::string &p : files_) std::remove(p.c_str());
    }

    // Loads an adapter expecting `status`; on failure the message must contain `needle`.
    lm_lora_adapter *load(const std::string &path, lm_status status = LM_OK, const std::string &needle = "") {
        files_.push_back(path);
        lm_lora_adapter *a = nullptr;
        const lm_status got = lm_lora_adapter_load(model_, path.c_str(), &a);
        EXPECT_EQ(got, status) << lm_last_error();
        if (got != LM_OK) {
            EXPECT_NE(std::string(lm_last_error()).find(needle), std::string::npos)
                << "'" << lm_last_error() << "' does not mention '" << needle << "'";
        }
        if (a != nullptr) adapters_.push_back(a);
        return a;
    }

    std::string synthesize(const std::string &stem, const char *targets, const char *type, int32_t rank, float alpha,
                           uint64_t seed) {
        const std::string path = lamina::testing::temp_path("lora-" + stem);
        files_.push_back(path);
        lm_lora_synthesize_params p = lm_lora_synthesize_default_params();
        p.targets = targets;
        p.type = type;
        p.rank = rank;
        p.alpha = alpha;
        p.seed = seed;
        EXPECT_EQ(lm_lora_synthesize(base_path().c_str(), path.c_str(), p), LM_OK) << lm_last_error();
        return path;
    }

    // Every prompt row's logits, in one batch.
    std::vector<float> logits() {
        const std::vector<lm_token> prompt = reference_prompt();
        std::vector<float> rows;
        EXPECT_EQ(lm_session_eval(session_, prompt.data(), static_cast<int32_t>(prompt.size()), 0, true), LM_OK)
            << lm_last_error();
        for (size_t r = 0; r < prompt.size(); ++r) {
            const float *row = nullptr;
            EXPECT_EQ(lm_session_logits(session_, static_cast<int32_t>(r), &row), LM_OK);
            if (row != nullptr) rows.insert(rows.end(), row, row + kVocab);
        }
        return rows;
    }

    static double worst_error(const std::vector<float> &ours, const std::vector<float> &ref) {
        double worst = 0;
        for (size_t r = 0; r * kVocab < ref.size() && r * kVocab < ours.size(); ++r) {
            worst = std::max(worst, lamina::testing::row_relative_error(ours.data() + r * kVocab,
                                                                        ref.data() + r * kVocab, kVocab));
        }
        return worst;
    }

    lm_model *model_ = nullptr;
    lm_session *session_ = nullptr;
    std::vector<lm_lora_adapter *> adapters_;
    std::vector<std::string> files_;
};

TEST_F(LoraAdapterTest, RefusesBadAdaptersNamingTheProblem) {
    const std::string q = "blk.0.attn_q.weight";
    load(write_adapter("arch", {{q + ".lora_a", {kEmbd, 4}}, {q + ".lora_b", {4, kEmbd}}}, "qwen2"),
         LM_ERR_INVALID_ARGUMENT, "architecture 'qwen2'");
    load(write_adapter("type", {{q + ".lora_a", {kEmbd, 4}}, {q + ".lora_b", {4, kEmbd}}}, "llama", "model"),
         LM_ERR_BAD_FORMAT, "not an adapter");
    load(write_adapter("shape", {{q + ".lora_a", {kEmbd + 1, 4}}, {q + ".lora_b", {4, kEmbd}}}),
         LM_ERR_INVALID_ARGUMENT, "'" + q + "' has shapes [65, 4]");
    load(write_adapter("transposed", {{q + ".lora_a", {4, kEmbd}}, {q + ".lora_b", {kEmbd, 4}}}),
         LM_ERR_INVALID_ARGUMENT, "transposed");
    load(write_adapter("rank", {{q + ".lora_a", {kEmbd, 4}}, {q + ".lora_b", {5, kEmbd}}}), LM_ERR_INVALID_ARGUMENT,
         "rank 4 in lora_a but 5 in lora_b");
    load(write_adapter("half", {{q + ".lora_a", {kEmbd, 4}}}), LM_ERR_BAD_FORMAT,
         "pair for '" + q + "' is missing its lora_b half");
    load(write_adapter("unknown", {{"blk.9.attn_q.weight.lora_a", {kEmbd, 4}}, {"blk.9.attn_q.weight.lora_b", {4, kEmbd}}}),
         LM_ERR_INVALID_ARGUMENT, "'blk.9.attn_q.weight' adapts no matrix");
    load(write_adapter("norm", {{"blk.0.attn_norm.weight.lora_a", {kEmbd, 4}},
                                {"blk.0.attn_norm.weight.lora_b", {4, kEmbd}}}),
         LM_ERR_INVALID_ARGUMENT, "not a matrix product's weight");
    load(write_adapter("embd", {{"token_embd.weight.lora_a", {kEmbd, 4}}, {"token_embd.weight.lora_b", {4, kVocab}}}),
         LM_ERR_UNSUPPORTED, "token embedding");
    load(write_adapter("suffix", {{q + ".lora_c", {kEmbd, 4}}}), LM_ERR_BAD_FORMAT, "not a LoRA half");
    // The model keeps working after every refusal.
    EXPECT_EQ(logits().size(), reference_prompt().size() * kVocab);
}

TEST_F(LoraAdapterTest, ReportsItsShapeAndRefusesAnotherModelsSession) {
    lm_lora_adapter *a = load(synthesize("accessors", "attn_q,ffn_down,attn_k", "F32", 4, 12.0f, 3));
    ASSERT_NE(a, nullptr);
    float alpha = 0;
    int64_t rank = 0, n = 0;
    ASSERT_EQ(lm_lora_adapter_alpha(a, &alpha), LM_OK);
    ASSERT_EQ(lm_lora_adapter_rank(a, &rank), LM_OK);
    ASSERT_EQ(lm_lora_adapter_n_tensors(a, &n), LM_OK);
    EXPECT_EQ(alpha, 12.0f);
    EXPECT_EQ(rank, 4);
    EXPECT_EQ(n, 3 * 5);  // attn_q, ffn_down and attn_k of five layers

    lm_model *other = nullptr;
    ASSERT_EQ(lm_model_load(base_path().c_str(), lm_model_default_params(), &other), LM_OK);
    lm_session *s = nullptr;
    ASSERT_EQ(lm_session_new(other, lm_session_default_params(), &s), LM_OK);
    EXPECT_EQ(lm_session_set_lora(s, a, 1.0f), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("another model"), std::string::npos) << lm_last_error();
    lm_session_free(s);
    lm_model_free(other);

    EXPECT_EQ(lm_session_remove_lora(session_, a), LM_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(lm_session_set_lora(session_, a, std::numeric_limits<float>::quiet_NaN()), LM_ERR_INVALID_ARGUMENT);
}

TEST_F(LoraAdapterTest, SynthesisRefusesBadOptions) {
    const std::string out = lamina::testing::temp_path("lora-bad");
    lm_lora_synthesize_params p = lm_lora_synthesize_default_params();
    p.targets = "attn_q,attn_qq";
    EXPECT_EQ(lm_lora_synthesize(base_path().c_str(), out.c_str(), p), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("'attn_qq' matches no 2-D tensor"), std::string::npos)
        << lm_last_error();
    p = lm_lora_synthesize_default_params();
    p.type = "Q8_0";  // rank 8: lora_b rows of 8 values
    EXPECT_EQ(lm_lora_synthesize(base_path().c_str(), out.c_str(), p), LM_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(lm_last_error()).find("multiple of Q8_0"), std::string::npos) << lm_last_error();
    p = lm_lora_synthesize_default_params();
    p.rank = 0;
    EXPECT_EQ(lm_lora_synthesize(base_path().c_str(), out.c_str(), p), LM_ERR_INVALID_ARGUMENT);
    p = lm_lora_synthesize_default_params();
    p.targets = "output";  // stories260K ties its output matrix to the token embedding
    EXPECT_EQ(lm_lora_synthesize(base_path().c_str(), out.c_str(), p), LM_ERR_INVALID_ARGUMENT);
    std::ifstream probe(out);
    EXPECT_FALSE(probe) << "a refused synthesis left " << out;
}

TEST_F(LoraAdapterTest, ScaleZeroAndRemovalGiveTheBaseModel) {
    const std::vector<float> base = logits();
    lm_lora_adapter *a = load(synthesize("zero", "attn_q,attn_v,ffn_down", "F32", 8, 16.0f, 1));
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(lm_session_set_lora(session_, a, 0.0f), LM_OK) << lm_last_error();
    EXPECT_EQ(logits(), base);
    ASSERT_EQ(lm_session_set_lora(session_, a, 1.0f), LM_OK);  // changes the scale, not a second entry
    int32_t n = 0;
    ASSERT_EQ(lm_session_n_lora(session_, &n), LM_OK);
    EXPECT_EQ(n, 1);
    const std::vector<float> adapted = logits();
    EXPECT_GT(worst_error(adapted, base), 0.05) << "the adapter hardly changes the logits";
    ASSERT_EQ(lm_session_remove_lora(session_, a), LM_OK);
    EXPECT_EQ(logits(), base);
    ASSERT_EQ(lm_session_set_lora(session_, a, 1.0f), LM_OK);
    EXPECT_EQ(logits(), adapted);
    ASSERT_EQ(lm_session_clear_lora(session_), LM_OK);
    EXPECT_EQ(logits(), base);
}

// X at s1 plus Y at s2 is one adapter Z of rank r_x + r_y: A_Z = A_X over A_Y, B_Z = [s1·B_X, s2·B_Y]
// (no alpha, so the factor is the scale alone).
TEST_F(LoraAdapterTest, TwoAdaptersAddUpAsTheirConcatenation) {
    const float s1 = 0.8f, s2 = -1.3f;
    const std::string x = synthesize("x", "attn_q,attn_output,ffn_up", "F32", 4, 0.0f, 11);
    const std::string y = synthesize("y", "attn_q,ffn_gate,ffn_up", "F32", 6, 0.0f, 12);
    auto fx = lamina::GgufFile::open(x), fy = lamina::GgufFile::open(y);
    lamina::GgufWriter w;
    w.copy_metadata(*fx);
    std::vector<std::string> names;
    for (const auto *f : {fx.get(), fy.get()}) {
        for (const auto &t : f->tensors()) {
            const std::string base(t.name.substr(0, t.name.size() - 7));
            if (std::find(names.begin(), names.end(), base) == names.end()) names.push_back(base);
        }
    }
    const auto values = [](const lamina::GgufTensorInfo *t) {
        return t == nullptr ? nullptr : reinterpret_cast<const float *>(t->data);
    };
    for (const std::string &base : names) {
        const auto *ax = fx->find_tensor(base + ".lora_a"), *bx = fx->find_tensor(base + ".lora_b");
        const auto *ay = fy->find_tensor(base + ".lora_a"), *by = fy->find_tensor(base + ".lora_b");
        const auto *shape_a = ax ? ax : ay, *shape_b = bx ? bx : by;
        const int64_t n_in = shape_a->ne[0], n_out = shape_b->ne[1];
        const int64_t rx = ax ? ax->ne[1] : 0, ry = ay ? ay->ne[1] : 0, r = rx + ry;
        std::vector<float> a(static_cast<size_t>(n_in * r)), b(static_cast<size_t>(r * n_out));
        if (ax) std::copy(values(ax), values(ax) + n_in * rx, a.begin());
        if (ay) std::copy(values(ay), values(ay) + n_in * ry, a.begin() + n_in * rx);
        for (int64_t o = 0; o < n_out; ++o) {
            for (int64_t k = 0; k < rx; ++k) b[o * r + k] = s1 * values(bx)[o * rx + k];
            for (int64_t k = 0; k < ry; ++k) b[o * r + rx + k] = s2 * values(by)[o * ry + k];
        }
        w.add_tensor(base + ".lora_a", lamina::GgmlType::F32, {n_in, r}, a.data(), a.size() * sizeof(float));
        w.add_tensor(base + ".lora_b", lamina::GgmlType::F32, {r, n_out}, b.data(), b.size() * sizeof(float));
    }
    const std::string z = lamina::testing::temp_path("lora-z");
    w.write(z);

    lm_lora_adapter *ax = load(x), *ay = load(y), *az = load(z);
    ASSERT_TRUE(ax && ay && az);
    const std::vector<float> base = logits();
    ASSERT_EQ(lm_session_set_lora(session_, ax, s1), LM_OK);
    ASSERT_EQ(lm_session_set_lora(session_, ay, s2), LM_OK);
    const std::vector<float> both = logits();
    ASSERT_EQ(lm_session_clear_lora(session_), LM_OK);
    ASSERT_EQ(lm_session_set_lora(session_, az, 1.0f), LM_OK);
    const std::vector<float> combined = logits();
    EXPECT_GT(worst_error(both, base), 0.05);
    EXPECT_LE(worst_error(both, combined), 1e-5);
}

struct ReferenceCase {
    const char *name;       // the file under tests/reference/lora/
    double tolerance;       // ../shared/README.md's for the adapters' types
    std::vector<std::pair<int, float>> adapters;  // (index into kAdapters, scale)
};

void PrintTo(const ReferenceCase &c, std::ostream *os) { *os << c.name; }

// The adapters of tests/reference/lora/README.md, with the SHA-256 of the files it was made from.
struct AdapterSpec {
    const char *stem, *targets, *type;
    int32_t rank;
    float alpha;
    uint64_t seed;
    const char *sha256;
};
const AdapterSpec kAdapters[] = {
    {"qvd-f32", "attn_q,attn_v,ffn_down", "F32", 8, 16.0f, 1,
     "1badede2bb52dc3919ed5790f0d7163978d6206abb69ce7d803adc3d7fffff00"},
    {"kuo-f16", "attn_k,ffn_up,attn_output", "F16", 4, 0.0f, 2,
     "f3e25c0506ceb7afe5946b163d3fca4f6de70de252911f951eb2e3a6d7665c1b"},
};

class LoraReference : public LoraAdapterTest, public ::testing::WithParamInterface<ReferenceCase> {};

TEST_P(LoraReference, MatchesLlamaCpp) {
    const ReferenceCase c = GetParam();
    const std::vector<lm_token> prompt = reference_prompt();
    const std::string ref_path = std::string(LAMINA_SOURCE_DIR) + "/tests/reference/lora/" + c.name;
    std::ifstream in(ref_path, std::ios::binary);
    ASSERT_TRUE(in) << "reference logits '" << ref_path << "' not found";
    std::vector<float> ref(prompt.size() * kVocab);
    in.read(reinterpret_cast<char *>(ref.data()), static_cast<std::streamsize>(ref.size() * sizeof(float)));
    ASSERT_EQ(static_cast<size_t>(in.gcount()), ref.size() * sizeof(float)) << ref_path << " is too short";

    for (const auto &[index, scale] : c.adapters) {
        const AdapterSpec &s = kAdapters[index];
        const std::string path = synthesize(s.stem, s.targets, s.type, s.rank, s.alpha, s.seed);
        ASSERT_EQ(lamina::file_sha256(path), s.sha256)
            << "lm_lora_synthesize no longer writes the adapter tests/reference/lora was made from: regenerate it "
               "as its README says";
        lm_lora_adapter *a = load(path);
        ASSERT_NE(a, nullptr);
        ASSERT_EQ(lm_session_set_lora(session_, a, scale), LM_OK) << lm_last_error();
    }
    const std::vector<float> batch = logits();
    double worst_batch = 0, worst_step = 0;
    for (size_t r = 0; r < prompt.size(); ++r) {
        const float *ours = batch.data() + r * kVocab, *want = ref.data() + r * kVocab;
        const double rel = lamina::testing::row_relative_error(ours, want, kVocab);
        EXPECT_LE(rel, c.tolerance) << "one batch, position " << r;
        worst_batch = std::max(worst_batch, rel);
    }
    for (size_t r = 0; r < prompt.size(); ++r) {
        ASSERT_EQ(lm_session_eval(session_, &prompt[r], 1, static_cast<int32_t>(r), false), LM_OK) << lm_last_error();
        const float *row = nullptr;
        ASSERT_EQ(lm_session_logits(session_, -1, &row), LM_OK);
        const double rel = lamina::testing::row_relative_error(row, ref.data() + r * kVocab, kVocab);
        EXPECT_LE(rel, c.tolerance) << "one token a call, position " << r;
        worst_step = std::max(worst_step, rel);
    }
    std::printf("[ %s ] worst relative error %.3g in one batch, %.3g one token a call (tolerance %g)\n", c.name,
                worst_batch, worst_step, c.tolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Stories260K, LoraReference,
    ::testing::Values(ReferenceCase{"qvd-f32.scale1.logits.f32", 1e-3, {{0, 1.0f}}},
                      ReferenceCase{"qvd-f32.scale-0.75.logits.f32", 1e-3, {{0, -0.75f}}},
                      ReferenceCase{"qvd-f32.scale1+kuo-f16.scale2.logits.f32", 5e-3, {{0, 1.0f}, {1, 2.0f}}}),
    [](const auto &info) {
        std::string n;
        for (const char *p = info.param.name; *p != '\0' && std::string(p) != ".logits.f32"; ++p) {
            n += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
        }
        return n;
    });

}  // namespace
