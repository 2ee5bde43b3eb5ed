// An architecture is a file under model/arch/ plus an entry in the table of
// model/arch/architectures.cpp: the hyperparameters it reads or fixes beyond the common keys,
// the tensors it binds (each required or optional, with its shape) and its forward pass as
// calls to the shared blocks of model/forward.h. Everything that lists architectures (load
// errors, `lamina info`, the README's model table) reads that table.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/hparams.h"
#include "model/model_weights.h"
#include "model/weight_binder.h"

namespace lamina {

class GgufFile;
class Forward;

struct Architecture {
    const char *name;     // general.architecture
    const char *summary;  // what sets it apart, for `lamina info` and the README
    // Fixes or reads what only this architecture has; the common keys are already in hp.
    void (*read_hparams)(const GgufFile &file, ModelHparams &hp);
    // Binds every tensor this architecture computes with.
    void (*bind)(WeightBinder &b, const ModelHparams &hp, ModelWeights &w);
    // One micro-batch through the model: embeddings, every layer, the output head.
    void (*forward)(Forward &f);
};

// nullptr for an architecture Lamina does not run.
const Architecture *find_architecture(std::string_view name);
// Every architecture, in the table's order.
const std::vector<const Architecture *> &architectures();
// "llama, qwen2, ...": for error messages.
std::string supported_architectures();

}  // namespace lamina
