// A corpus of malformed GGUF files, generated from a shared model, each loaded through the C
// API (lm_model_load from a temporary file): every one must give its own non-OK status and a
// message naming the problem, never a crash or an allocation the file does not justify.
//
// The base is the miniature of models/llama2-mha-f32.gguf (fuzz/model_shrinker.h: same keys,
// types and tensor names, one layer, 300 tokens), which loads cleanly; each case cuts it at a
// section boundary or corrupts one field.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fuzz/model_shrinker.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "gguf_layout.h"
#include "lamina.h"
#include "test_data.h"

namespace {

using lamina::GgmlType;
using lamina::GgufFile;
using lamina::GgufValue;
using lamina::GgufValueType;
using lamina::GgufWriter;
using lamina::testing::GgufLayout;
using Bytes = std::vector<uint8_t>;

// GGUF value type ids.
constexpr uint32_t kU32 = 4, kF32 = 6, kBool = 7, kArray = 9;

const Bytes &base_file() {
    static const Bytes base = [] {
        const std::string path = lamina::testing::require_test_file("models/llama2-mha-f32.gguf");
        if (path.empty()) return Bytes{};
        return lamina::fuzz::shrink_model(*GgufFile::open(path));
    }();
    return base;
}

const GgufLayout &base_layout() {
    static const GgufLayout layout = lamina::testing::gguf_layout(base_file());
    return layout;
}

struct Loaded {
    lm_status status;
    std::string message;
};

Loaded load_through_c_api(const Bytes &bytes, bool vocab_only = false) {
    const std::string path = ::testing::TempDir() + "lamina-malformed-" + std::to_string(getpid()) + ".gguf";
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    lm_model_params params = lm_model_default_params();
    params.vocab_only = vocab_only;
    lm_model *model = nullptr;
    const lm_status status = lm_model_load(path.c_str(), params, &model);
    Loaded result{status, status == LM_OK ? "" : lm_last_error()};
    lm_model_free(model);
    std::remove(path.c_str());
    return result;
}

void put_u32(Bytes &b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }
void put_u64(Bytes &b, size_t at, uint64_t v) { std::memcpy(b.data() + at, &v, 8); }
Bytes cut(size_t n) { return Bytes(base_file().begin(), base_file().begin() + static_cast<std::ptrdiff_t>(n)); }
const GgufLayout::Kv &kv(const std::string &key) {
    const GgufLayout::Kv *k = base_layout().kv(key);
    if (k == nullptr) throw std::runtime_error("base file lacks metadata '" + key + "'");
    return *k;
}
// Keys of the base with a known value type (the cases cut inside values of each kind).
constexpr const char *kU32Key = "tokenizer.ggml.bos_token_id";
constexpr const char *kF32Key = "llama.rope.freq_base";
constexpr const char *kBoolKey = "tokenizer.ggml.add_bos_token";
const GgufLayout::Kv &kv_typed(const std::string &key, uint32_t type) {
    const GgufLayout::Kv &k = kv(key);
    if (k.type != type) throw std::runtime_error("metadata '" + key + "' has type " + std::to_string(k.type));
    return k;
}
const GgufLayout::Tensor &tensor(const std::string &name) {
    const GgufLayout::Tensor *t = base_layout().tensor(name);
    if (t == nullptr) throw std::runtime_error("base file lacks tensor '" + name + "'");
    return *t;
}

// Re-serializes the base through the writer after `edit` changed its metadata or tensors.
Bytes rewrite(const std::function<void(GgufWriter &, const GgufFile &)> &edit,
              const std::set<std::string> &drop_tensors = {}) {
    const Bytes &b = base_file();
    auto src = GgufFile::parse(b.data(), b.size(), "base");
    GgufWriter w;
    w.copy_metadata(*src);
    for (const lamina::GgufTensorInfo &t : src->tensors()) {
        if (drop_tensors.count(std::string(t.name))) continue;
        w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims), t.data, t.n_bytes);
    }
    edit(w, *src);
    return w.serialize();
}

// The base rewritten with general.alignment = 1 and padded so that F32 tensor data starts at
// an odd file offset (legal GGUF, but kernels cannot load floats from there).
Bytes misaligned_weights() {
    for (size_t pad = 0; pad < 4; ++pad) {
        const Bytes &b = base_file();
        auto src = GgufFile::parse(b.data(), b.size(), "base");
        GgufWriter w;
        w.copy_metadata(*src);
        w.set_string("zz.pad", std::string(pad, 'x'));
        for (const lamina::GgufTensorInfo &t : src->tensors()) {
            w.add_tensor(t.name, t.type, std::vector<int64_t>(t.ne, t.ne + t.n_dims), t.data, t.n_bytes);
        }
        Bytes out = w.serialize(1);
        auto parsed = GgufFile::parse(out.data(), out.size(), "misaligned");
        if ((parsed->tensors()[0].data - out.data()) % 4 != 0) return out;
    }
    throw std::runtime_error("could not misalign the tensor data");
}

GgufValue string_array(std::vector<std::string_view> items) {
    GgufValue v;
    v.type = GgufValueType::ARRAY;
    v.elem_type = GgufValueType::STRING;
    v.count = items.size();
    v.strings = std::move(items);
    return v;
}

// Overwrites the first occurrence of `from` after `at` with `to` (same length).
Bytes patch_text(Bytes b, size_t at, const std::string &from, const std::string &to) {
    const auto it = std::search(b.begin() + static_cast<std::ptrdiff_t>(at), b.end(), from.begin(), from.end());
    if (it == b.end() || from.size() != to.size()) throw std::runtime_error("cannot patch '" + from + "'");
    std::copy(to.begin(), to.end(), it);
    return b;
}

struct Case {
    std::string name;
    std::function<Bytes()> make;
    lm_status status;
    std::vector<std::string> needles;  // each must appear in the message
};

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

std::vector<Case> cases() {
    const std::string T0 = "token_embd.weight";
    std::vector<Case> c;
    // ---- truncation at every section boundary and inside every kind of field ----
    c.push_back({"EmptyFile", [] { return cut(0); }, LM_ERR_BAD_FORMAT, {"is empty (0 bytes)", "not a GGUF file"}});
    c.push_back({"CutInMagic", [] { return cut(3); }, LM_ERR_BAD_FORMAT, {"truncated", "magic"}});
    c.push_back({"CutAfterMagic", [] { return cut(4); }, LM_ERR_BAD_FORMAT, {"truncated", "version"}});
    c.push_back({"CutAfterVersion", [] { return cut(8); }, LM_ERR_BAD_FORMAT, {"truncated", "tensor count"}});
    c.push_back({"CutAfterTensorCount", [] { return cut(16); }, LM_ERR_BAD_FORMAT, {"truncated", "metadata count"}});
    c.push_back({"CutAfterHeader", [] { return cut(24); }, LM_ERR_BAD_FORMAT, {"truncated", "key of metadata entry 0"}});
    c.push_back({"CutInFirstKey", [] { return cut(24 + 8 + 3); }, LM_ERR_BAD_FORMAT,
                 {"key of metadata entry 0", "claims a string of", "past the end"}});
    c.push_back({"CutBeforeValueType", [] { return cut(kv("general.architecture").type_at); }, LM_ERR_BAD_FORMAT,
                 {"truncated", "metadata 'general.architecture' type"}});
    c.push_back({"CutInStringValue", [] { return cut(kv("general.architecture").value_at + 9); }, LM_ERR_BAD_FORMAT,
                 {"metadata 'general.architecture' claims a string of", "past the end"}});
    c.push_back({"CutInU32Value", [] { return cut(kv_typed(kU32Key, kU32).value_at + 2); }, LM_ERR_BAD_FORMAT,
                 {"truncated", std::string("metadata '") + kU32Key + "'"}});
    c.push_back({"CutInF32Value", [] { return cut(kv_typed(kF32Key, kF32).value_at + 1); }, LM_ERR_BAD_FORMAT,
                 {"truncated", std::string("metadata '") + kF32Key + "'"}});
    c.push_back({"CutInBoolValue", [] { return cut(kv_typed(kBoolKey, kBool).value_at); }, LM_ERR_BAD_FORMAT,
                 {"truncated", std::string("metadata '") + kBoolKey + "'"}});
    c.push_back({"CutInArrayElementType", [] { return cut(kv("tokenizer.ggml.tokens").value_at + 2); },
                 LM_ERR_BAD_FORMAT, {"truncated", "'tokenizer.ggml.tokens' element type"}});
    c.push_back({"CutInArrayCount", [] { return cut(kv("tokenizer.ggml.tokens").value_at + 4 + 5); },
                 LM_ERR_BAD_FORMAT, {"truncated", "'tokenizer.ggml.tokens' element count"}});
    c.push_back({"CutInStringArray", [] { return cut(kv("tokenizer.ggml.tokens").value_at + 12 + 100); },
                 LM_ERR_BAD_FORMAT, {"'tokenizer.ggml.tokens'", "more than the file can hold"}});
    c.push_back({"CutInLastToken", [] { return cut(kv("tokenizer.ggml.tokens").end - 2); }, LM_ERR_BAD_FORMAT,
                 {"metadata 'tokenizer.ggml.tokens' claims a string of", "past the end"}});
    c.push_back({"CutInNumericArray", [] { return cut(kv("tokenizer.ggml.scores").value_at + 12 + 10); },
                 LM_ERR_BAD_FORMAT, {"'tokenizer.ggml.scores'", "past the end"}});
    c.push_back({"CutBeforeTensorInfos", [] { return cut(base_layout().tensors[0].start); }, LM_ERR_BAD_FORMAT,
                 {"truncated", "name of tensor 0"}});
    c.push_back({"CutInTensorDimCount", [T0] { return cut(tensor(T0).dims_at + 1); }, LM_ERR_BAD_FORMAT,
                 {"truncated", "tensor '" + T0 + "' dimension count"}});
    c.push_back({"CutInTensorSize", [T0] { return cut(tensor(T0).ne_at + 12); }, LM_ERR_BAD_FORMAT,
                 {"truncated", "tensor '" + T0 + "' size"}});
    c.push_back({"CutInTensorType", [T0] { return cut(tensor(T0).type_at + 3); }, LM_ERR_BAD_FORMAT,
                 {"truncated", "tensor '" + T0 + "' type"}});
    c.push_back({"CutInTensorOffset", [T0] { return cut(tensor(T0).offset_at + 7); }, LM_ERR_BAD_FORMAT,
                 {"truncated", "tensor '" + T0 + "' offset"}});
    c.push_back({"CutAtDataStart", [] { return cut(base_layout().data_start); }, LM_ERR_BAD_FORMAT,
                 {"lies past the end of the file", "truncated or corrupt"}});
    c.push_back({"CutInLastTensorData", [] { return cut(base_file().size() - 1); }, LM_ERR_BAD_FORMAT,
                 {"data of tensor '", "past the end"}});

    // ---- header fields ----
    c.push_back({"WrongMagic", [] { Bytes b = base_file(); b[0] = 'F'; return b; }, LM_ERR_BAD_FORMAT,
                 {"not a GGUF file", "magic"}});
    c.push_back({"ObsoleteVersion1", [] { Bytes b = base_file(); put_u32(b, 4, 1); return b; }, LM_ERR_UNSUPPORTED,
                 {"version 1"}});
    c.push_back({"UnknownVersion", [] { Bytes b = base_file(); put_u32(b, 4, 7); return b; }, LM_ERR_BAD_FORMAT,
                 {"unknown GGUF version 7"}});

    // ---- flipped type ids ----
    c.push_back({"UnknownValueType", [] { Bytes b = base_file(); put_u32(b, kv_typed(kU32Key, kU32).type_at, 13); return b; },
                 LM_ERR_BAD_FORMAT, {std::string("'") + kU32Key + "'", "unknown value type 13"}});
    c.push_back({"ArrayOfArrays", [] { Bytes b = base_file(); put_u32(b, kv("tokenizer.ggml.scores").value_at, kArray); return b; },
                 LM_ERR_BAD_FORMAT, {"'tokenizer.ggml.scores'", "unsupported element type 9"}});
    c.push_back({"UnknownTensorType", [T0] { Bytes b = base_file(); put_u32(b, tensor(T0).type_at, 99); return b; },
                 LM_ERR_UNSUPPORTED, {"'" + T0 + "'", "unknown tensor type id 99"}});
    c.push_back({"NormVectorNotF32",
                 [] { Bytes b = base_file(); put_u32(b, tensor("output_norm.weight").type_at, 1 /*F16*/); return b; },
                 LM_ERR_UNSUPPORTED, {"'output_norm.weight'", "must be F32"}});
    c.push_back({"RowNotMultipleOfBlock",
                 [T0] { Bytes b = base_file(); put_u32(b, tensor(T0).type_at, 8 /*Q8_0*/); return b; },
                 LM_ERR_BAD_FORMAT, {"'" + T0 + "'", "not a multiple of the Q8_0 block size"}});

    // ---- bad offsets and alignment ----
    c.push_back({"TensorOffsetPastEnd",
                 [T0] { Bytes b = base_file(); put_u64(b, tensor(T0).offset_at, uint64_t{1} << 30); return b; },
                 LM_ERR_BAD_FORMAT, {"data of tensor '" + T0 + "'", "past the end"}});
    c.push_back({"TensorOffsetWraps",
                 [T0] { Bytes b = base_file(); put_u64(b, tensor(T0).offset_at, ~uint64_t{31}); return b; },
                 LM_ERR_BAD_FORMAT, {"data of tensor '" + T0 + "'", "past the end"}});
    c.push_back({"MisalignedTensorOffset",
                 [T0] { Bytes b = base_file(); put_u64(b, tensor(T0).offset_at, 4); return b; },
                 LM_ERR_BAD_FORMAT, {"'" + T0 + "' offset 4", "not aligned to 32"}});
    c.push_back({"WeightsMisalignedForTheirType", [] { return misaligned_weights(); }, LM_ERR_UNSUPPORTED,
                 {"the data of tensor '", "is not aligned to 4 bytes (general.alignment = 1)"}});
    c.push_back({"AlignmentNotPowerOfTwo",
                 [] { return rewrite([](GgufWriter &w, const GgufFile &) { w.set_u32("general.alignment", 3); }); },
                 LM_ERR_BAD_FORMAT, {"general.alignment", "power of two"}});

    // ---- sizes that overflow or cannot fit ----
    c.push_back({"TrillionTensors", [] { Bytes b = base_file(); put_u64(b, 8, 1000000000000ull); return b; },
                 LM_ERR_BAD_FORMAT, {"claims 1000000000000 tensors"}});
    c.push_back({"TrillionMetadataEntries", [] { Bytes b = base_file(); put_u64(b, 16, 1000000000000ull); return b; },
                 LM_ERR_BAD_FORMAT, {"claims 1000000000000 metadata entries"}});
    c.push_back({"GigabyteKey", [] { Bytes b = base_file(); put_u64(b, 24, uint64_t{1} << 30); return b; },
                 LM_ERR_BAD_FORMAT, {"key of metadata entry 0", "1073741824 bytes", "past the end"}});
    c.push_back({"GigabyteStringValue",
                 [] { Bytes b = base_file(); put_u64(b, kv("general.architecture").value_at, uint64_t{1} << 30); return b; },
                 LM_ERR_BAD_FORMAT, {"'general.architecture'", "past the end"}});
    c.push_back({"HugeStringArrayCount",
                 [] { Bytes b = base_file(); put_u64(b, kv("tokenizer.ggml.tokens").value_at + 4, uint64_t{1} << 61); return b; },
                 LM_ERR_BAD_FORMAT, {"'tokenizer.ggml.tokens'", "more than the file can hold"}});
    c.push_back({"HugeNumericArrayCount",
                 [] { Bytes b = base_file(); put_u64(b, kv("tokenizer.ggml.scores").value_at + 4, uint64_t{1} << 62); return b; },
                 LM_ERR_BAD_FORMAT, {"'tokenizer.ggml.scores'", "past the end"}});
    c.push_back({"ElementCountOverflows",
                 [T0] {
                     Bytes b = base_file();
                     put_u64(b, tensor(T0).ne_at, uint64_t{1} << 32);
                     put_u64(b, tensor(T0).ne_at + 8, uint64_t{1} << 32);
                     return b;
                 },
                 LM_ERR_BAD_FORMAT, {"'" + T0 + "'", "absurd element count"}});
    c.push_back({"TensorOf2To62Bytes",
                 [T0] { Bytes b = base_file(); put_u64(b, tensor(T0).ne_at + 8, uint64_t{1} << 58); return b; },
                 LM_ERR_BAD_FORMAT, {"'" + T0 + "'", "absurd element count"}});
    c.push_back({"ZeroSizedDimension",
                 [T0] { Bytes b = base_file(); put_u64(b, tensor(T0).ne_at, 0); return b; },
                 LM_ERR_BAD_FORMAT, {"'" + T0 + "'", "invalid size 0 in dimension 0"}});
    c.push_back({"FiveDimensions",
                 [T0] { Bytes b = base_file(); put_u32(b, tensor(T0).dims_at, 5); return b; },
                 LM_ERR_BAD_FORMAT, {"'" + T0 + "'", "5 dimensions"}});

    // ---- bad UTF-8 ----
    c.push_back({"KeyNotUtf8",
                 [] { Bytes b = base_file(); b[kv("general.architecture").start + 8 + 2] = 0xFF; return b; },
                 LM_ERR_BAD_FORMAT, {"key of metadata entry", "not valid UTF-8"}});
    c.push_back({"TokenNotUtf8",
                 [] {
                     return rewrite([](GgufWriter &w, const GgufFile &f) {
                         std::vector<std::string_view> tokens = f.get_array("tokenizer.ggml.tokens").strings;
                         tokens[5] = "\xC0\xAF";  // overlong '/'
                         w.set_value("tokenizer.ggml.tokens", string_array(tokens));
                     });
                 },
                 LM_ERR_BAD_FORMAT, {"'tokenizer.ggml.tokens' element 5", "not valid UTF-8"}});
    c.push_back({"StringValueNotUtf8",
                 [] { return rewrite([](GgufWriter &w, const GgufFile &) { w.set_string("general.name", "caf\xE9"); }); },
                 LM_ERR_BAD_FORMAT, {"'general.name'", "not valid UTF-8"}});
    c.push_back({"TensorNameNotUtf8",
                 [T0] { Bytes b = base_file(); b[tensor(T0).start + 8 + 1] = 0xED; return b; },
                 LM_ERR_BAD_FORMAT, {"name of tensor", "not valid UTF-8"}});

    // ---- duplicates ----
    c.push_back({"DuplicateKey",
                 [] {
                     const Bytes b = rewrite([](GgufWriter &w, const GgufFile &) {
                         w.set_u32("zz.dup.aaaa", 1);
                         w.set_u32("zz.dup.bbbb", 2);
                     });
                     return patch_text(b, 0, "zz.dup.bbbb", "zz.dup.aaaa");
                 },
                 LM_ERR_BAD_FORMAT, {"metadata key 'zz.dup.aaaa' appears twice"}});
    c.push_back({"DuplicateTensor",
                 [] {
                     const Bytes b = rewrite([](GgufWriter &w, const GgufFile &) {
                         const float zero[4] = {};
                         w.add_tensor("zz.dup.aaaa", GgmlType::F32, {4}, zero, sizeof zero);
                         w.add_tensor("zz.dup.bbbb", GgmlType::F32, {4}, zero, sizeof zero);
                     });
                     return patch_text(b, 0, "zz.dup.bbbb", "zz.dup.aaaa");
                 },
                 LM_ERR_BAD_FORMAT, {"tensor 'zz.dup.aaaa' appears twice"}});
    c.push_back({"DuplicateTokenText",
                 [] {
                     return rewrite([](GgufWriter &w, const GgufFile &f) {
                         std::vector<std::string_view> tokens = f.get_array("tokenizer.ggml.tokens").strings;
                         tokens[200] = tokens[100];
                         w.set_value("tokenizer.ggml.tokens", string_array(tokens));
                     });
                 },
                 LM_ERR_BAD_FORMAT, {"tokenizer.ggml.tokens", "twice"}});

    // ---- required keys with the wrong type or value ----
    c.push_back({"ArchitectureNotString",
                 [] { return rewrite([](GgufWriter &w, const GgufFile &) { w.set_u32("general.architecture", 1); }); },
                 LM_ERR_BAD_FORMAT, {"'general.architecture' should be a string but is u32"}});
    c.push_back({"BlockCountNotInteger",
                 [] { return rewrite([](GgufWriter &w, const GgufFile &) { w.set_string("llama.block_count", "1"); }); },
                 LM_ERR_BAD_FORMAT, {"'llama.block_count' should be an integer but is string"}});
    c.push_back({"TokensNotArray",
                 [] { return rewrite([](GgufWriter &w, const GgufFile &) { w.set_u32("tokenizer.ggml.tokens", 3); }); },
                 LM_ERR_BAD_FORMAT, {"'tokenizer.ggml.tokens' should be an array but is u32"}});
    c.push_back({"FreqBaseNotNumber",
                 [] { return rewrite([](GgufWriter &w, const GgufFile &) { w.set_string("llama.rope.freq_base", "1e4"); }); },
                 LM_ERR_BAD_FORMAT, {"'llama.rope.freq_base' should be a number but is string"}});
    c.push_back({"ZeroLayers",
                 [] { return rewrite([](GgufWriter &w, const GgufFile &) { w.set_u32("llama.block_count", 0); }); },
                 LM_ERR_BAD_FORMAT, {"'llama.block_count' = 0 is out of range"}});
    c.push_back({"MissingContextLength",
                 [] { return rewrite([](GgufWriter &w, const GgufFile &) { w.remove("llama.context_length"); }); },
                 LM_ERR_BAD_FORMAT, {"required metadata key 'llama.context_length' is missing"}});
    c.push_back({"UnknownArchitecture",
                 [] { return rewrite([](GgufWriter &w, const GgufFile &) { w.set_string("general.architecture", "gpt9"); }); },
                 LM_ERR_UNSUPPORTED, {"architecture 'gpt9' is not supported"}});
    c.push_back({"MissingTensor", [] { return rewrite([](GgufWriter &, const GgufFile &) {}, {"blk.0.ffn_up.weight"}); },
                 LM_ERR_BAD_FORMAT, {"required tensor 'blk.0.ffn_up.weight' is missing"}});
    return c;
}

class MalformedFile : public ::testing::TestWithParam<Case> {};

TEST_P(MalformedFile, IsRejectedWithANamedCause) {
    ASSERT_FALSE(base_file().empty());
    const Case &c = GetParam();
    Bytes bytes;
    try {
        bytes = c.make();
    } catch (const std::exception &e) {
        FAIL() << "cannot build the case: " << e.what();
    }
    ASSERT_NE(bytes, base_file()) << "the case did not change the file";
    const Loaded loaded = load_through_c_api(bytes);
    EXPECT_EQ(loaded.status, c.status) << lm_status_name(loaded.status) << ": " << loaded.message;
    for (const std::string &needle : c.needles) {
        EXPECT_NE(loaded.message.find(needle), std::string::npos)
            << "expected \"" << needle << "\" in: " << loaded.message;
    }
    // The message names the file it came from.
    EXPECT_NE(loaded.message.find("lamina-malformed-"), std::string::npos) << loaded.message;
}

INSTANTIATE_TEST_SUITE_P(Corpus, MalformedFile, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case> &info) { return info.param.name; });

TEST(MalformedFiles, BaseLoadsAndCorpusIsLargeAndDistinct) {
    ASSERT_FALSE(base_file().empty());
    const Loaded base = load_through_c_api(base_file());
    ASSERT_EQ(base.status, LM_OK) << base.message;
    std::set<Bytes> distinct;
    for (const Case &c : cases()) distinct.insert(c.make());
    EXPECT_GE(distinct.size(), 30u);
    EXPECT_EQ(distinct.size(), cases().size()) << "two cases produce the same file";
}

}  // namespace
