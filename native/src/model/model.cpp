#include "model/model.h"

#include "common/sha256.h"

#include "backend/backend_table.h"
#include "common/error.h"
#include "model/value_range.h"
#include "model/weight_binder.h"
#include "runtime/memory_budget.h"

namespace lamina {

std::unique_ptr<Model> Model::load(const std::string &path, bool vocab_only, bool repack_weights) {
    return from_gguf(GgufFile::open(path), vocab_only, repack_weights);
}

std::unique_ptr<Model> Model::from_gguf(std::unique_ptr<GgufFile> file, bool vocab_only,
                                                  bool repack_weights) {
    std::unique_ptr<Model> m(new Model());
    m->file_ = std::move(file);
    const std::string &path = m->file_->name();
    m->vocab_only_ = vocab_only;
    m->backend_ = &backend::default_backend();
    m->hparams_ = ModelHparams::from_gguf(*m->file_, vocab_only);
    m->arch_ = find_architecture(m->hparams_.architecture);
    m->tokenizer_ = Tokenizer::from_gguf(*m->file_);
    if (m->tokenizer_->n_vocab() != m->hparams_.n_vocab) {
        fail(LM_ERR_BAD_FORMAT, "'" + path + "': the tokenizer has " + std::to_string(m->tokenizer_->n_vocab()) +
                                    " tokens but the vocabulary lists " + std::to_string(m->hparams_.n_vocab));
    }
    if (!vocab_only) m->bind_weights();
    if (!vocab_only && repack_weights) m->repack_weights();
    return m;
}

void Model::bind_weights() {
    const ModelHparams &hp = hparams_;
    WeightBinder b(*file_, *backend_);
    arch_->bind(b, hp, weights_);
    if (weights_.rope_freqs.present()) {
        // Each rotary angle is divided by its entry: zero, NaN or a negative is no frequency.
        const ValueRange divisor{0.0, 1e6, /*lo_open=*/true};
        const float *d = reinterpret_cast<const float *>(weights_.rope_freqs.data);
        for (int64_t i = 0; i < weights_.rope_freqs.cols; ++i) {
            require_in_range("'" + file_->name() + "': tensor 'rope_freqs.weight' element " + std::to_string(i), d[i],
                             divisor);
        }
    }
    const std::string problems = b.problems();
    if (!problems.empty()) {
        fail(LM_ERR_BAD_FORMAT, "'" + file_->name() + "': the tensors do not match architecture '" + hp.architecture +
                                    "' with block_count " + std::to_string(hp.n_layer) + ": " + problems);
    }
}

const std::string &Model::sha256() const {
    std::call_once(sha256_once_, [&] {
        Sha256 h;
        h.update(file_->bytes(), file_->file_size());
        sha256_ = h.hex_digest();
    });
    return sha256_;
}

uint64_t Model::decode_weight_bytes() const {
    uint64_t total = 0, experts = 0, embedding = 0;
    bool has_output = false;
    for (const GgufTensorInfo &t : file_->tensors()) {
        const std::string_view name(t.name);
        const uint64_t bytes = t.n_bytes;
        if (name == "token_embd.weight") embedding = bytes;
        if (name == "output.weight") has_output = true;
        if (name.find("_exps.") != std::string_view::npos) {
            experts += bytes;
        } else {
            total += bytes;
        }
    }
    if (has_output) total -= embedding;
    if (hparams_.n_expert > 0) total += experts / static_cast<uint64_t>(hparams_.n_expert) * hparams_.n_expert_used;
    return total;
}

bool repacking_fits(uint64_t repacked_bytes, uint64_t memory_limit) {
    return repacked_bytes <= memory_limit / 5 * 4;
}

void Model::repack_weights() {
    // The matrices that go through matmul. The token embedding is read row by row, so it keeps
    // the file's layout; a tied output matrix (the same tensor) gets a repacked copy of its own,
    // since in a model with a large vocabulary it is a quarter of what a decode step reads.
    std::vector<Weight *> matrices = weights_.matrices();
    // Repacked weights are private memory, where the file's pages were reclaimable page cache: a
    // model that would take most of the machine's (or container's) memory keeps the file layout
    // rather than risk the OOM killer.
    const size_t bytes = backend_->prepared_bytes(matrices);
    if (bytes == 0 || !repacking_fits(bytes, host_memory_limit())) return;
    backend::PreparedWeights prepared = backend_->prepare_weights(
        matrices, [this](const uint8_t *data, size_t n) {
            // The embedding's rows are still read from the file when the output is its copy.
            if (data != weights_.token_embd.data) file_->release_pages(data, n);
        });
    repacked_ = std::move(prepared.memory);
    n_repacked_ = prepared.n_matrices;
}

}  // namespace lamina
