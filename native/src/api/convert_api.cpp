// The C ABI of model writing (lamina.h: quantize, synthesize).
#include <algorithm>
#include <string>
#include <thread>

#include "api/abi_guard.h"
#include "convert/file_types.h"
#include "convert/model_shapes.h"
#include "convert/quantize_model.h"
#include "convert/synthesize_model.h"
#include "lamina.h"
#include "model/arch/architecture.h"

using namespace lamina;

namespace {

const FileType &file_type_of(const char *name, const char *fn) {
    require(name, fn, "file_type");
    const FileType *ft = find_file_type(name);
    if (ft == nullptr) {
        fail(LM_ERR_INVALID_ARGUMENT, std::string(fn) + ": unknown file type '" + name + "' (known: " +
                                          file_type_names() + ")");
    }
    return *ft;
}

int threads_of(int32_t n, const char *fn) {
    if (n < 0 || n > 512) {
        fail(LM_ERR_INVALID_ARGUMENT, std::string(fn) + ": n_threads = " + std::to_string(n) + " is out of range (0..512)");
    }
    return n > 0 ? n : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

ProgressFn progress_of(lm_progress_fn fn, void *user) {
    if (fn == nullptr) return {};
    return [fn, user](int64_t done, int64_t total) { return fn(done, total, user); };
}

}  // namespace

extern "C" {

LM_API lm_quantize_params lm_quantize_default_params(void) {
    lm_quantize_params p{};
    p.file_type = "Q4_K_M";
    return p;
}

LM_API lm_status lm_model_quantize(const char *in_path, const char *out_path, lm_quantize_params params) {
    return abi_guard("lm_model_quantize", [&] {
        require(in_path, "lm_model_quantize", "in_path");
        require(out_path, "lm_model_quantize", "out_path");
        quantize_model(in_path, out_path, file_type_of(params.file_type, "lm_model_quantize"),
                       threads_of(params.n_threads, "lm_model_quantize"),
                       progress_of(params.progress, params.progress_user_data));
    });
}

LM_API lm_synthesize_params lm_synthesize_default_params(void) {
    lm_synthesize_params p{};
    p.shape = "tinyllama-1.1b";
    p.file_type = "Q4_0";
    p.seed = 1;
    return p;
}

LM_API lm_status lm_model_synthesize(const char *out_path, lm_synthesize_params params) {
    return abi_guard("lm_model_synthesize", [&] {
        require(out_path, "lm_model_synthesize", "out_path");
        require(params.shape, "lm_model_synthesize", "shape");
        require(params.vocab_path, "lm_model_synthesize", "vocab_path");
        const ModelShape *shape = find_model_shape(params.shape);
        if (shape == nullptr) {
            fail(LM_ERR_INVALID_ARGUMENT, std::string("lm_model_synthesize: unknown shape '") + params.shape +
                                              "' (known: " + model_shape_names() + ")");
        }
        synthesize_model(out_path, *shape, params.vocab_path, file_type_of(params.file_type, "lm_model_synthesize"),
                         params.seed, threads_of(params.n_threads, "lm_model_synthesize"),
                         progress_of(params.progress, params.progress_user_data));
    });
}

LM_API lm_status lm_file_type_names(char *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_file_type_names", [&] { copy_out(file_type_names(), buf, capacity, out_len, "lm_file_type_names"); });
}

LM_API lm_status lm_model_shape_names(char *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_model_shape_names", [&] { copy_out(model_shape_names(), buf, capacity, out_len, "lm_model_shape_names"); });
}

LM_API lm_status lm_architecture_names(char *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_architecture_names",
                     [&] { copy_out(supported_architectures(), buf, capacity, out_len, "lm_architecture_names"); });
}

LM_API lm_status lm_architecture_summary(const char *name, char *buf, size_t capacity, size_t *out_len) {
    return abi_guard("lm_architecture_summary", [&] {
        const Architecture *a = find_architecture(require(name, "lm_architecture_summary", "name"));
        if (a == nullptr) {
            fail(LM_ERR_INVALID_ARGUMENT, "architecture '" + std::string(name) + "' is not supported (supported: " +
                                              supported_architectures() + ")");
        }
        copy_out(a->summary, buf, capacity, out_len, "lm_architecture_summary");
    });
}

}  // extern "C"
