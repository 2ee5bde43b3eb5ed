#include "model/lora_adapter.h"

#include <algorithm>
#include <string_view>

#include "common/error.h"
#include "model/weight_binder.h"

namespace lamina {
namespace {

constexpr std::string_view kSuffixA = ".lora_a", kSuffixB = ".lora_b";

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string shape_text(const GgufTensorInfo &t) {
    std::string s = "[";
    for (uint32_t i = 0; i < t.n_dims; ++i) s += (i ? ", " : "") + std::to_string(t.ne[i]);
    return s + "]";
}

// The model's matrices by tensor name; a name shared by several (expert and per-head slices of
// one 3-D tensor) maps to nullptr.
std::unordered_map<std::string_view, const Weight *> matrices_by_name(const Model &model) {
    std::unordered_map<std::string_view, const Weight *> out;
    for (const Weight *w : model.weights().matrices()) {
        const std::string_view name(w->name, w->name_len);
        auto [it, inserted] = out.emplace(name, w);
        if (!inserted) it->second = nullptr;
    }
    return out;
}

}  // namespace

std::shared_ptr<const LoraAdapter> LoraAdapter::load(const Model &model, const std::string &path) {
    return from_gguf(model, GgufFile::open(path));
}

std::shared_ptr<const LoraAdapter> LoraAdapter::from_gguf(const Model &model, std::unique_ptr<GgufFile> file) {
    if (model.vocab_only()) {
        fail(LM_ERR_INVALID_ARGUMENT, "'" + file->name() + "': a LoRA adapter needs a model loaded with its weights");
    }
    std::shared_ptr<LoraAdapter> a(new LoraAdapter(model, std::move(file)));
    a->bind();
    return a;
}

void LoraAdapter::bind() {
    const GgufFile &f = *file_;
    const std::string where = "'" + f.name() + "': ";
    const std::string_view type = f.get_string_or("general.type", "");
    if (type != "adapter") {
        fail(LM_ERR_BAD_FORMAT, where + "not an adapter (general.type is '" + std::string(type) +
                                    "', expected 'adapter')");
    }
    const std::string_view adapter_type = f.get_string_or("adapter.type", "");
    if (adapter_type != "lora") {
        fail(LM_ERR_UNSUPPORTED, where + "adapter.type is '" + std::string(adapter_type) + "'; only 'lora' is supported");
    }
    const std::string_view arch = f.get_string_or("general.architecture", "");
    if (arch != model_.hparams().architecture) {
        fail(LM_ERR_INVALID_ARGUMENT, where + "the adapter is for architecture '" + std::string(arch) +
                                          "' but the model is '" + model_.hparams().architecture + "'");
    }
    alpha_ = static_cast<float>(f.get_float_or("adapter.lora.alpha", 0.0));

    // Pair up the halves first, so a missing one is reported as such whatever the order.
    struct Halves {
        const GgufTensorInfo *a = nullptr, *b = nullptr;
    };
    std::vector<std::pair<std::string_view, Halves>> pairs;
    std::unordered_map<std::string_view, size_t> index;
    for (const GgufTensorInfo &t : f.tensors()) {
        const bool is_a = ends_with(t.name, kSuffixA);
        if (!is_a && !ends_with(t.name, kSuffixB)) {
            fail(LM_ERR_BAD_FORMAT, where + "tensor '" + std::string(t.name) +
                                        "' is not a LoRA half (its name must end in .lora_a or .lora_b)");
        }
        const std::string_view base = t.name.substr(0, t.name.size() - kSuffixA.size());
        auto [it, inserted] = index.emplace(base, pairs.size());
        if (inserted) pairs.push_back({base, {}});
        Halves &h = pairs[it->second].second;
        (is_a ? h.a : h.b) = &t;
    }
    if (pairs.empty()) fail(LM_ERR_BAD_FORMAT, where + "the adapter has no tensors");

    const auto by_name = matrices_by_name(model_);
    WeightBinder binder(f, model_.backend());
    for (const auto &[base, h] : pairs) {
        const std::string name(base);
        if (h.a == nullptr || h.b == nullptr) {
            fail(LM_ERR_BAD_FORMAT, where + "LoRA tensor pair for '" + name + "' is missing its " +
                                        (h.a == nullptr ? "lora_a" : "lora_b") + " half");
        }
        if (name == "token_embd.weight") {
            fail(LM_ERR_UNSUPPORTED, where + "LoRA on the token embedding ('" + name + "') is not supported");
        }
        const auto found = by_name.find(base);
        if (found == by_name.end()) {
            fail(LM_ERR_INVALID_ARGUMENT, where + "LoRA tensor '" + name + "' adapts no matrix of the model (" +
                                              (model_.file().find_tensor(base) ? "it is not a matrix product's weight"
                                                                               : "the model has no such tensor") +
                                              ")");
        }
        if (found->second == nullptr) {
            fail(LM_ERR_UNSUPPORTED, where + "LoRA on '" + name +
                                         "' is not supported: it is a 3-D tensor of expert or per-head slices");
        }
        const Weight &w = *found->second;
        const GgufTensorInfo &ta = *h.a, &tb = *h.b;
        if (ta.n_dims != 2 || tb.n_dims != 2 || ta.ne[0] != w.cols || tb.ne[1] != w.rows) {
            fail(LM_ERR_INVALID_ARGUMENT,
                 where + "LoRA pair for '" + name + "' has shapes " + shape_text(ta) + " (lora_a) and " +
                     shape_text(tb) + " (lora_b), expected [" + std::to_string(w.cols) + ", r] and [r, " +
                     std::to_string(w.rows) + "] (are A and B transposed?)");
        }
        if (ta.ne[1] != tb.ne[0]) {
            fail(LM_ERR_INVALID_ARGUMENT, where + "LoRA pair for '" + name + "' has rank " + std::to_string(ta.ne[1]) +
                                              " in lora_a but " + std::to_string(tb.ne[0]) + " in lora_b");
        }
        // Types the backend computes with and alignment, as for the model's own matrices.
        LoraWeight lw;
        lw.a = binder.matrix(std::string(ta.name), {ta.ne[0], ta.ne[1]});
        lw.b = binder.matrix(std::string(tb.name), {tb.ne[0], tb.ne[1]});
        rank_ = std::max(rank_, lw.rank());
        weights_.emplace(&w, lw);
    }
}

const LoraWeight *LoraAdapter::find(const Weight *base) const {
    const auto it = weights_.find(base);
    return it == weights_.end() ? nullptr : &it->second;
}

float LoraAdapter::factor(const LoraWeight &w, float scale) const {
    return alpha_ != 0.0f ? scale * alpha_ / static_cast<float>(w.rank()) : scale;
}

}  // namespace lamina
