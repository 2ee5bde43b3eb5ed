#include "model/llama_model.h"

#include <algorithm>
#include <atomic>
#include <initializer_list>
#include <system_error>
#include <thread>

#include "common/error.h"
#include "cpu/interleaved_kernels.h"
#include "cpu/kernels.h"
#include "model/value_range.h"
#include "quant/interleaved.h"
#include "runtime/memory_budget.h"

namespace lamina {
namespace {

std::string shape_text(const int64_t *ne, size_t n) {
    std::string s = "[";
    for (size_t i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
}

enum class Use { Matrix, Vector };

// "'a', 'b', ... and 3 more": at most kListed names.
std::string name_list(const std::vector<std::string> &names) {
    constexpr size_t kListed = 10;
    std::string s;
    for (size_t i = 0; i < names.size() && i < kListed; ++i) s += (i ? ", '" : "'") + names[i] + "'";
    if (names.size() > kListed) s += " and " + std::to_string(names.size() - kListed) + " more";
    return s;
}

// Binds tensors by name, checking shape and that Lamina can compute with the type, and keeps
// account of what the file holds: a tensor the architecture never asks for is one whose
// computation would be silently skipped (biases of a relabelled file, experts, layers beyond
// block_count), so problems() lists every such tensor, as it lists the required ones that are
// missing, for the loader to refuse the file.
class WeightBinder {
public:
    explicit WeightBinder(const GgufFile &file) : file_(file), used_(file.tensors().size(), false) {}

    Weight bind(const std::string &name, std::initializer_list<int64_t> shape, Use use, bool required = true) {
        const GgufTensorInfo *t = file_.find_tensor(name);
        if (t == nullptr) {
            if (required) missing_.push_back(name);
            return {};
        }
        used_[static_cast<size_t>(t - file_.tensors().data())] = true;
        const std::vector<int64_t> want(shape);
        bool ok = t->n_dims <= want.size() || (t->n_dims == want.size() + 1 && t->ne[t->n_dims - 1] == 1);
        for (size_t d = 0; d < 4 && ok; ++d) {
            const int64_t expected = d < want.size() ? want[d] : 1;
            ok = t->ne[d] == expected;
        }
        if (!ok) {
            fail(LM_ERR_BAD_FORMAT, "'" + file_.name() + "': tensor '" + name + "' has shape " +
                                        shape_text(t->ne, t->n_dims) + ", expected " +
                                        shape_text(want.data(), want.size()));
        }
        const TypeGeometry geo = type_geometry(static_cast<uint32_t>(t->type));
        if (use == Use::Matrix && cpu::dot_kernel(t->type) == nullptr) {
            fail(LM_ERR_UNSUPPORTED, "'" + file_.name() + "': tensor '" + name + "' has type " + geo.name +
                                         ", which Lamina cannot compute with yet");
        }
        if (use == Use::Vector && t->type != GgmlType::F32) {
            fail(LM_ERR_UNSUPPORTED, "'" + file_.name() + "': tensor '" + name + "' has type " + geo.name +
                                         "; norm and bias vectors must be F32");
        }
        // Kernels read F32 values and the fp16 scales of blocks in place: a file whose
        // general.alignment is below that (it may legally be 1) would make them misaligned loads.
        const uintptr_t need = t->type == GgmlType::F32 || t->type == GgmlType::Q8_K ? 4 : 2;
        if (reinterpret_cast<uintptr_t>(t->data) % need != 0) {
            fail(LM_ERR_UNSUPPORTED, "'" + file_.name() + "': the data of tensor '" + name + "' (" + geo.name +
                                         ") is not aligned to " + std::to_string(need) +
                                         " bytes (general.alignment = " + std::to_string(file_.alignment()) +
                                         "); rewrite the file with the default alignment of 32");
        }
        Weight w;
        w.name = t->name.data();
        w.name_len = t->name.size();
        w.type = t->type;
        w.cols = t->ne[0];
        w.rows = t->ne[1];
        w.slices = t->ne[2];
        w.row_bytes = static_cast<size_t>(t->ne[0] / geo.block_size) * geo.type_size;
        w.data = t->data;
        return w;
    }

    // The problems found, "" when every required tensor was there and every tensor was used.
    std::string problems() const {
        std::vector<std::string> unused;
        for (size_t i = 0; i < used_.size(); ++i) {
            if (!used_[i]) unused.emplace_back(file_.tensors()[i].name);
        }
        std::string s;
        if (!missing_.empty()) s = "required tensor '" + missing_[0] + "' is missing";
        if (missing_.size() > 1) {
            s += ", and " + std::to_string(missing_.size() - 1) + " more: " +
                 name_list(std::vector<std::string>(missing_.begin() + 1, missing_.end()));
        }
        if (!unused.empty()) {
            s += (s.empty() ? "" : "; ") + std::to_string(unused.size()) + " tensor" + (unused.size() > 1 ? "s" : "") +
                 " in the file " + (unused.size() > 1 ? "are" : "is") + " not used: " + name_list(unused);
        }
        return s;
    }

private:
    const GgufFile &file_;
    std::vector<bool> used_;  // by index into file_.tensors()
    std::vector<std::string> missing_;
};

}  // namespace

std::unique_ptr<LlamaModel> LlamaModel::load(const std::string &path, bool vocab_only, bool repack_weights) {
    return from_gguf(GgufFile::open(path), vocab_only, repack_weights);
}

std::unique_ptr<LlamaModel> LlamaModel::from_gguf(std::unique_ptr<GgufFile> file, bool vocab_only,
                                                  bool repack_weights) {
    std::unique_ptr<LlamaModel> m(new LlamaModel());
    m->file_ = std::move(file);
    const std::string &path = m->file_->name();
    m->vocab_only_ = vocab_only;
    m->hparams_ = ModelHparams::from_gguf(*m->file_, vocab_only);
    m->tokenizer_ = Tokenizer::from_gguf(*m->file_);
    if (m->tokenizer_->n_vocab() != m->hparams_.n_vocab) {
        fail(LM_ERR_BAD_FORMAT, "'" + path + "': the tokenizer has " + std::to_string(m->tokenizer_->n_vocab()) +
                                    " tokens but the vocabulary lists " + std::to_string(m->hparams_.n_vocab));
    }
    if (!vocab_only) m->bind_weights();
    if (!vocab_only && repack_weights) m->repack_weights();
    return m;
}

void LlamaModel::bind_weights() {
    const ModelHparams &hp = hparams_;
    WeightBinder b(*file_);
    const int64_t E = hp.n_embd, V = hp.n_vocab, Q = hp.n_embd_q(), KV = hp.n_embd_kv(), F = hp.n_ff;
    token_embd = b.bind("token_embd.weight", {E, V}, Use::Matrix);
    output_norm = b.bind("output_norm.weight", {E}, Use::Vector);
    output = b.bind("output.weight", {E, V}, Use::Matrix, /*required=*/false);
    if (!output.present()) output = token_embd;  // tied input/output embedding
    rope_freqs = b.bind("rope_freqs.weight", {hp.n_rot / 2}, Use::Vector, /*required=*/false);
    if (rope_freqs.present()) {
        // Each rotary angle is divided by its entry: zero, NaN or a negative is no frequency.
        const ValueRange divisor{0.0, 1e6, /*lo_open=*/true};
        const float *d = reinterpret_cast<const float *>(rope_freqs.data);
        for (int64_t i = 0; i < rope_freqs.cols; ++i) {
            require_in_range("'" + file_->name() + "': tensor 'rope_freqs.weight' element " + std::to_string(i), d[i],
                             divisor);
        }
    }

    layers.resize(hp.n_layer);
    for (int32_t l = 0; l < hp.n_layer; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        LayerWeights &L = layers[l];
        L.attn_norm = b.bind(p + "attn_norm.weight", {E}, Use::Vector);
        L.wq = b.bind(p + "attn_q.weight", {E, Q}, Use::Matrix);
        L.wk = b.bind(p + "attn_k.weight", {E, KV}, Use::Matrix);
        L.wv = b.bind(p + "attn_v.weight", {E, KV}, Use::Matrix);
        L.wo = b.bind(p + "attn_output.weight", {Q, E}, Use::Matrix);
        if (hp.qkv_bias) {
            L.bq = b.bind(p + "attn_q.bias", {Q}, Use::Vector);
            L.bk = b.bind(p + "attn_k.bias", {KV}, Use::Vector);
            L.bv = b.bind(p + "attn_v.bias", {KV}, Use::Vector);
        }
        L.ffn_norm = b.bind(p + "ffn_norm.weight", {E}, Use::Vector);
        L.ffn_gate = b.bind(p + "ffn_gate.weight", {E, F}, Use::Matrix);
        L.ffn_up = b.bind(p + "ffn_up.weight", {E, F}, Use::Matrix);
        L.ffn_down = b.bind(p + "ffn_down.weight", {F, E}, Use::Matrix);
    }

    const std::string problems = b.problems();
    const std::string layout = "architecture '" + hp.architecture + "' with block_count " + std::to_string(hp.n_layer);
    if (hp.n_expert > 0) {
        fail(LM_ERR_UNSUPPORTED, "'" + file_->name() + "': mixture-of-experts models (" + std::to_string(hp.n_expert) +
                                     " experts) are not supported yet" +
                                     (problems.empty() ? "" : "; as a dense " + layout + ": " + problems));
    }
    if (!problems.empty()) {
        fail(LM_ERR_BAD_FORMAT, "'" + file_->name() + "': the tensors do not match " + layout + ": " + problems);
    }
}

bool repacking_fits(uint64_t repacked_bytes, uint64_t memory_limit) {
    return repacked_bytes <= memory_limit / 5 * 4;
}

void LlamaModel::repack_weights() {
    // The matrices that go through matmul only. The token embedding is also read row by row
    // (and is the output matrix of tied models), so it keeps the file's layout. A type has an
    // interleaved kernel only where it has an interleaved layout.
    std::vector<Weight *> todo;
    auto consider = [&](Weight &w) {
        if (w.present() && w.data != token_embd.data && w.rows % quant::kInterleave == 0 &&
            cpu::interleaved_kernel(w.type) != nullptr) {
            todo.push_back(&w);
        }
    };
    consider(output);
    for (LayerWeights &L : layers) {
        for (Weight *w : {&L.wq, &L.wk, &L.wv, &L.wo, &L.ffn_gate, &L.ffn_up, &L.ffn_down}) consider(*w);
    }
    if (todo.empty()) return;

    std::vector<size_t> offset(todo.size() + 1, 0);
    for (size_t i = 0; i < todo.size(); ++i) {
        const size_t bytes = quant::interleaved_group_bytes(todo[i]->type, todo[i]->cols) *
                             static_cast<size_t>(todo[i]->rows / quant::kInterleave);
        offset[i + 1] = offset[i] + (bytes + 63) / 64 * 64;
    }
    // Repacked weights are private memory, where the file's pages were reclaimable page cache: a
    // model that would take most of the machine's (or container's) memory keeps the file layout
    // rather than risk the OOM killer.
    if (!repacking_fits(offset.back(), host_memory_limit())) return;
    repacked_ = AnonymousMemory(offset.back(), "the repacked weights");

    // Tensors are claimed one at a time by a few threads: copying is bound by memory bandwidth,
    // which two to four threads saturate.
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i = next++; i < todo.size(); i = next++) {
            const Weight &w = *todo[i];
            const size_t group_bytes = quant::interleaved_group_bytes(w.type, w.cols);
            uint8_t *dst = repacked_.data() + offset[i];
            for (int64_t g = 0; g < w.rows / quant::kInterleave; ++g) {
                quant::repack_group(w.type, w.row(g * quant::kInterleave), w.row_bytes, w.cols, dst + g * group_bytes);
            }
            file_->release_pages(w.data, w.row_bytes * static_cast<size_t>(w.rows));
        }
    };
    const unsigned hw = std::thread::hardware_concurrency();
    const size_t n_threads = std::min<size_t>({hw == 0 ? 1 : hw, 4, todo.size()});
    std::vector<std::thread> helpers;
    try {
        for (size_t t = 1; t < n_threads; ++t) helpers.emplace_back(work);
    } catch (const std::system_error &) {
        // No more threads to be had: the ones started and this one claim every tensor anyway.
    }
    work();
    for (std::thread &t : helpers) t.join();

    for (size_t i = 0; i < todo.size(); ++i) {
        todo[i]->data = repacked_.data() + offset[i];
        todo[i]->interleaved = true;
    }
    n_repacked_ = static_cast<int64_t>(todo.size());
}

}  // namespace lamina
