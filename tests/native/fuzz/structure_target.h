// What one structure-mode fuzz input exercises, shared by the libFuzzer harness
// (fuzz_structure.cpp) and the replay of saved findings (tests/native/fuzz_regressions_test.cpp).
//
// The input is a mutation program (mutation_program.h) naming one of the base models below, all
// from the shared test data ($LAMINA_TEST_DATA, default ../shared). Its edits are applied to the
// base, the result is written to a scratch file and loaded through the C ABI like any caller
// would: lm_model_load vocabulary-only (then metadata rendering and tokenization), and in full
// (then a few tokens through lm_session_eval).
//
// Acceptable outcomes are LM_OK and an error status with a message. A finding is thrown as
// StructureFinding: LM_ERR_INTERNAL (an exception other than LaminaError reached the ABI
// guard), an error without a message, an out-of-range token accepted, or a successful
// evaluation with a non-finite logit. Crashes, sanitizer reports, hangs and allocations past
// the RSS limit are libFuzzer's to report.
#pragma once

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"
#include "fuzz/gguf_image.h"
#include "fuzz/model_shrinker.h"
#include "fuzz/mutation_program.h"
#include "lamina.h"

namespace lamina::fuzz {

struct StructureFinding : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The models programs start from: the smaller shared ones, one per architecture, attention
// layout and weight type the loader handles. Shrunk ones keep every key and tensor but are a
// few kilobytes, so an execution takes milliseconds; stories260K is small enough to use whole.
struct BaseModel {
    const char *file;  // under models/
    bool shrink;
};
inline const std::vector<BaseModel> &base_models() {
    static const std::vector<BaseModel> bases = {
        {"stories260K-f32.gguf", false},    {"llama2-mha-f32.gguf", true},       {"qwen2-f16.gguf", true},
        {"llama3-gqa-f16.gguf", true},      {"llama2-gqa256-q4_0.gguf", true},   {"llama2-gqa256-q8_0.gguf", true},
        {"llama2-gqa256-q4_k_m.gguf", true}, {"llama2-gqa256-q6_k.gguf", true}, {"mixtral-moe-q8_0.gguf", true},
        {"qwen3-f16.gguf", true},
    };
    return bases;
}

// Same default as the native tests' test_data.h (which needs GoogleTest, so is not shared).
inline std::string structure_data_dir() {
    const char *env = std::getenv("LAMINA_TEST_DATA");
    return env != nullptr && *env != '\0' ? std::string(env) : std::string("../shared");
}

// The base model's bytes (shrunk where the table says so). Throws std::runtime_error naming
// the file when the shared data is missing: that is a broken setup, never a fuzz finding.
inline std::vector<uint8_t> base_model_bytes(size_t index) {
    const BaseModel &b = base_models()[index % base_models().size()];
    const std::string path = structure_data_dir() + "/models/" + b.file;
    std::ifstream probe(path, std::ios::binary);
    if (!probe) {
        throw std::runtime_error("structure fuzz: base model '" + path +
                                 "' not found: set LAMINA_TEST_DATA to the folder holding models/");
    }
    if (b.shrink) return shrink_model(*GgufFile::open(path));
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(probe)), std::istreambuf_iterator<char>());
}

inline const GgufImage &base_image(size_t index) {
    static std::vector<std::optional<GgufImage>> cache(base_models().size());
    std::optional<GgufImage> &slot = cache[index % cache.size()];
    if (!slot) slot = GgufImage::from_file_bytes(base_model_bytes(index));
    return *slot;
}

namespace structure_detail {

// A scratch file per process, in memory where the system has a tmpfs.
inline const std::string &scratch_path() {
    static const std::string path = [] {
        const char *tmp = std::getenv("TMPDIR");
        std::string dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (tmp != nullptr && *tmp ? tmp : "/tmp");
        return dir + "/lamina-fuzz-structure-" + std::to_string(getpid()) + ".gguf";
    }();
    return path;
}

// True for LM_OK, false for an error with a message; anything else is a finding.
inline bool accepted(lm_status status, const char *call) {
    if (status == LM_OK) return true;
    const std::string message = lm_last_error();
    if (status == LM_ERR_INTERNAL) {
        throw StructureFinding(std::string(call) + " failed with LM_ERR_INTERNAL (an exception other than "
                               "LaminaError): " + message);
    }
    if (message.empty()) {
        throw StructureFinding(std::string(call) + " returned " + lm_status_name(status) + " without a message");
    }
    return false;
}

struct ModelFree {
    void operator()(lm_model *m) const { lm_model_free(m); }
};
struct SessionFree {
    void operator()(lm_session *s) const { lm_session_free(s); }
};

inline void exercise_vocabulary(const lm_model *model, const TokenizerText &text) {
    lm_model_info info{};
    if (!accepted(lm_model_get_info(model, &info), "lm_model_get_info")) return;
    char buf[512];
    size_t len = 0;
    for (int64_t i = 0; i < info.n_metadata; ++i) {
        (void)accepted(lm_model_meta_key(model, i, buf, sizeof buf, &len), "lm_model_meta_key");
        (void)accepted(lm_model_meta_value_text(model, i, buf, sizeof buf, &len), "lm_model_meta_value_text");
    }
    std::vector<lm_token> ids(256);
    size_t n = 0;
    const lm_status st = lm_tokenize(model, text.text.data(), text.text.size(), text.add_bos, text.parse_special,
                                     ids.data(), ids.size(), &n);
    ids.resize(st == LM_OK ? n : 0);
    if (st != LM_ERR_BUFFER_TOO_SMALL) (void)accepted(st, "lm_tokenize");
    for (lm_token id = 0; id < std::min<int32_t>(info.n_vocab, 64); ++id) ids.push_back(id);
    ids.push_back(info.n_vocab - 1);
    for (lm_token id : ids) {
        const lm_status piece = lm_token_to_piece(model, id, text.render_special, buf, sizeof buf, &len);
        if (piece != LM_ERR_BUFFER_TOO_SMALL) (void)accepted(piece, "lm_token_to_piece");
        bool eog = false;
        (void)accepted(lm_token_is_eog(model, id, &eog), "lm_token_is_eog");
    }
    for (lm_token bad : {-1, info.n_vocab}) {
        if (lm_token_to_piece(model, bad, true, buf, sizeof buf, &len) == LM_OK) {
            throw StructureFinding("lm_token_to_piece accepted token " + std::to_string(bad) + " of a " +
                                   std::to_string(info.n_vocab) + "-token vocabulary");
        }
    }
}

inline void require_finite_logits(const lm_session *session, int32_t row, int32_t n_vocab) {
    const float *logits = nullptr;
    if (!accepted(lm_session_logits(session, row, &logits), "lm_session_logits")) return;
    for (int32_t i = 0; i < n_vocab; ++i) {
        if (!std::isfinite(logits[i])) {
            throw StructureFinding("lm_session_eval returned LM_OK with a non-finite logit: row " +
                                   std::to_string(row) + ", token " + std::to_string(i) + " = " +
                                   std::to_string(logits[i]));
        }
    }
}

// Fuzzed shapes can describe an arbitrarily expensive model; beyond this many weights an
// evaluation would only slow the fuzzer down without reaching new code.
constexpr int64_t kMaxEvaluatedParams = int64_t{1} << 22;

inline void exercise_evaluation(const lm_model *model) {
    lm_model_info info{};
    if (!accepted(lm_model_get_info(model, &info), "lm_model_get_info")) return;
    if (info.n_params > kMaxEvaluatedParams) return;
    lm_session_params sp = lm_session_default_params();
    sp.n_ctx = 8;
    sp.n_batch = 4;
    sp.n_threads = 1;
    lm_session *raw = nullptr;
    if (!accepted(lm_session_new(model, sp, &raw), "lm_session_new")) return;
    const std::unique_ptr<lm_session, SessionFree> session(raw);
    const lm_token tokens[3] = {0, info.n_vocab - 1, info.n_vocab / 2};
    if (!accepted(lm_session_eval(session.get(), tokens, 3, 0, /*all_logits=*/true), "lm_session_eval")) return;
    for (int32_t row = 0; row < 3; ++row) require_finite_logits(session.get(), row, info.n_vocab);
    if (!accepted(lm_session_eval(session.get(), tokens, 1, 3, /*all_logits=*/false), "lm_session_eval")) return;
    require_finite_logits(session.get(), -1, info.n_vocab);
}

}  // namespace structure_detail

// The file a program describes.
inline std::vector<uint8_t> build_structure_file(const MutationProgram &program) {
    GgufImage img = base_image(program.base);
    for (const Edit &e : program.edits) apply_edit(img, e);
    return img.serialize();
}

// One structure-mode execution; `data` must be a structure input (is_structure_input).
inline void run_structure_input(const uint8_t *data, size_t size) {
    using namespace structure_detail;
    const std::optional<MutationProgram> program = MutationProgram::decode(data, size);
    if (!program) return;
    const std::vector<uint8_t> bytes = build_structure_file(*program);
    const std::string &path = scratch_path();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        if (!out) throw std::runtime_error("structure fuzz: cannot write the scratch file " + path);
    }
    const TokenizerText &text = tokenizer_texts()[program->text % tokenizer_texts().size()];
    for (bool vocab_only : {true, false}) {
        lm_model_params mp = lm_model_default_params();
        mp.vocab_only = vocab_only;
        lm_model *raw = nullptr;
        if (!accepted(lm_model_load(path.c_str(), mp, &raw), "lm_model_load")) {
            if (vocab_only) break;  // the full load reads the same vocabulary first
            continue;
        }
        const std::unique_ptr<lm_model, ModelFree> model(raw);
        if (vocab_only) {
            exercise_vocabulary(model.get(), text);
        } else {
            exercise_evaluation(model.get());
        }
    }
    std::remove(path.c_str());
}

}  // namespace lamina::fuzz
