// A loaded model: the mapped GGUF file, its architecture, hyperparameters, vocabulary and the
// weights of every layer bound by name and checked for shape and type. Immutable after load,
// so any number of sessions on any threads share it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "common/anonymous_memory.h"
#include "gguf/gguf_file.h"
#include "model/arch/architecture.h"
#include "model/hparams.h"
#include "model/model_weights.h"
#include "model/weight.h"
#include "tokenizer/tokenizer.h"

namespace lamina {

// Whether repacked weights of `repacked_bytes` may be allocated on a machine (or container) of
// `memory_limit` bytes: at most 80% of it, the rest left for KV caches and the process.
bool repacking_fits(uint64_t repacked_bytes, uint64_t memory_limit);

class Model {
public:
    // Throws LaminaError naming the file and the key/tensor at fault. The model computes with
    // the default backend (backend/backend_table.h), which must be able to compute every matrix.
    // With repack_weights, the backend prepares the matrices (the CPU one copies
    // Q4_0/Q8_0/Q4_K/Q5_K/Q6_K matrices once into the interleaved-row layout of
    // quant/interleaved.h when its variant has kernels for it: prompts 1.5x+ faster); their
    // pages of the mapping are then dropped, so resident memory stays about the file's size.
    // Without it, or when the copies would not fit (repacking_fits), every weight is used in
    // place in the mapping.
    static std::unique_ptr<Model> load(const std::string &path, bool vocab_only, bool repack_weights = false);
    // The same over an already parsed file (tests and fuzzing parse from memory).
    static std::unique_ptr<Model> from_gguf(std::unique_ptr<GgufFile> file, bool vocab_only,
                                                 bool repack_weights = false);

    const GgufFile &file() const { return *file_; }
    const ModelHparams &hparams() const { return hparams_; }
    const Tokenizer &tokenizer() const { return *tokenizer_; }
    // What evaluations of this model compute with: the backend its weights were prepared for.
    const backend::Backend &backend() const { return *backend_; }
    bool vocab_only() const { return vocab_only_; }
    // Matrices held in the interleaved layout, and the bytes they take.
    int64_t n_repacked() const { return n_repacked_; }
    size_t repacked_bytes() const { return repacked_.size(); }

    // Bytes of weights one decode step reads: every tensor but the token embedding (one row of
    // it is read, unless it doubles as the output matrix), the experts' tensors at the share a
    // token routes through (n_expert_used of n_expert). Against memory bandwidth, the decode
    // speed limit.
    uint64_t decode_weight_bytes() const;

    // The SHA-256 of the model's file (64 hex digits), computed on first use (it reads the whole
    // file once) and kept: saved session states name the model they belong to by it.
    const std::string &sha256() const;

    // What this model's forward pass is (nullptr for a vocabulary-only load of an
    // architecture Lamina does not run) and the tensors it binds.
    const Architecture *architecture() const { return arch_; }
    const ModelWeights &weights() const { return weights_; }

private:
    mutable std::once_flag sha256_once_;
    mutable std::string sha256_;

    void bind_weights();
    void repack_weights();

    std::unique_ptr<GgufFile> file_;
    ModelHparams hparams_;
    std::unique_ptr<Tokenizer> tokenizer_;
    const backend::Backend *backend_ = nullptr;
    const Architecture *arch_ = nullptr;
    ModelWeights weights_;
    bool vocab_only_ = false;
    AnonymousMemory repacked_;  // the weights the backend rewrote in its own layout
    int64_t n_repacked_ = 0;
};

}  // namespace lamina
