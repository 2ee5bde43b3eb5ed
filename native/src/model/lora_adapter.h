// A LoRA adapter in llama.cpp's GGUF format (general.type = adapter, adapter.type = lora): for
// some of a model's matrices W, a low-rank pair A ([n_in, r] in GGUF's ne order) and B
// ([r, n_out]) named `<W's name>.lora_a` / `.lora_b`. A session applying it with a user scale s
// computes W·x + s·(alpha/r)·B·(A·x) wherever W is applied (s alone when adapter.lora.alpha is 0),
// as llama.cpp's build_lora_mm does; the base weights are not touched or copied, and the
// adapter's tensors are used in place in their own mapping.
//
// Supported: every 2-D matrix the forward pass multiplies with, the output matrix included
// (when the file has its own; a tied one is the token embedding). Refused with an error naming
// the tensor: the token embedding (llama.cpp adds its delta to the row lookup, and to the output
// of tied models), per-expert and per-head slices of 3-D tensors.
//
// Ownership: an adapter refers to the model it was loaded for (by the addresses of its bound
// weights), so it must not outlive that model. Sessions share an adapter through shared_ptr, so
// freeing the caller's handle while a session still applies it is safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/weight.h"

namespace lamina {

// One adapted matrix: a.cols = n_in, a.rows = b.cols = rank, b.rows = n_out.
struct LoraWeight {
    Weight a, b;
    int64_t rank() const { return a.rows; }
};

class LoraAdapter {
public:
    // Opens `path` and checks it against `model`; throws LaminaError naming the file and the
    // tensor or key at fault.
    static std::shared_ptr<const LoraAdapter> load(const Model &model, const std::string &path);
    // The same over an already parsed file (tests).
    static std::shared_ptr<const LoraAdapter> from_gguf(const Model &model, std::unique_ptr<GgufFile> file);

    const Model &model() const { return model_; }
    const GgufFile &file() const { return *file_; }
    float alpha() const { return alpha_; }
    // The largest rank of its pairs (they usually share one).
    int64_t rank() const { return rank_; }
    // Adapted matrices (lora_a/lora_b pairs).
    int64_t n_pairs() const { return static_cast<int64_t>(weights_.size()); }

    // The pair adapting `base` (a weight of model()'s ModelWeights), or nullptr.
    const LoraWeight *find(const Weight *base) const;
    // The factor of B·(A·x) at user scale `scale`: scale·alpha/rank, or scale when alpha is 0.
    float factor(const LoraWeight &w, float scale) const;

private:
    LoraAdapter(const Model &model, std::unique_ptr<GgufFile> file) : model_(model), file_(std::move(file)) {}
    void bind();

    const Model &model_;
    std::unique_ptr<GgufFile> file_;
    float alpha_ = 0.0f;
    int64_t rank_ = 0;
    std::unordered_map<const Weight *, LoraWeight> weights_;
};

// An adapter as a session applies it.
struct ActiveLora {
    std::shared_ptr<const LoraAdapter> adapter;
    float scale = 1.0f;
};

}  // namespace lamina
