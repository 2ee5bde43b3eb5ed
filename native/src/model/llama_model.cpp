#include "model/llama_model.h"

#include <initializer_list>

#include "backend/backend_table.h"
#include "common/error.h"
#include "model/value_range.h"
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
    WeightBinder(const GgufFile &file, const backend::Backend &backend)
        : file_(file), backend_(backend), used_(file.tensors().size(), false) {}

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
        if (use == Use::Matrix && !backend_.can_compute(t->type)) {
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
    const backend::Backend &backend_;
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
    m->backend_ = &backend::default_backend();
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
    WeightBinder b(*file_, *backend_);
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
    // The matrices that go through matmul. The token embedding is read row by row, so it keeps
    // the file's layout; a tied output matrix (the same tensor) gets a repacked copy of its own,
    // since in a model with a large vocabulary it is a quarter of what a decode step reads.
    std::vector<Weight *> matrices;
    auto consider = [&](Weight &w) {
        if (w.present() && w.data != token_embd.data) matrices.push_back(&w);
    };
    if (output.present()) matrices.push_back(&output);
    for (LayerWeights &L : layers) {
        for (Weight *w : {&L.wq, &L.wk, &L.wv, &L.wo, &L.ffn_gate, &L.ffn_up, &L.ffn_down}) consider(*w);
    }
    // Repacked weights are private memory, where the file's pages were reclaimable page cache: a
    // model that would take most of the machine's (or container's) memory keeps the file layout
    // rather than risk the OOM killer.
    const size_t bytes = backend_->prepared_bytes(matrices);
    if (bytes == 0 || !repacking_fits(bytes, host_memory_limit())) return;
    backend::PreparedWeights prepared = backend_->prepare_weights(
        matrices, [this](const uint8_t *data, size_t n) {
            // The embedding's rows are still read from the file when the output is its copy.
            if (data != token_embd.data) file_->release_pages(data, n);
        });
    repacked_ = std::move(prepared.memory);
    n_repacked_ = prepared.n_matrices;
}

}  // namespace lamina
