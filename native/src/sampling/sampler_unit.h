// One sampler of a chain (as llama.cpp's llama_sampler): it filters or reweights the candidates,
// or selects one of them, and may keep state over the tokens accepted so far. Each kind lives in
// samplers/<name>.cpp and is registered in sampler_kinds.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sampling/candidates.h"

namespace lamina {

class SamplerUnit {
public:
    virtual ~SamplerUnit() = default;
    virtual void apply(Candidates &c, SamplerRng &rng) = 0;
    // A token of the prompt or of the output, in order.
    virtual void accept(lm_token) {}
    // Back to the state before any accept.
    virtual void reset() {}
};

// A parameter of a sampler kind, with its default and range: the one place they are written.
struct SamplerParam {
    const char *key;
    double default_value;
    double min, max;
    bool integer;
    const char *meaning;
};

// A sampler's parameters as a spec gave them, checked against its kind and with defaults filled
// in; entries are the kind's free-form "KEY=VALUE" items (logit_bias: token=bias).
struct SamplerArgs {
    std::map<std::string, double> values;
    std::vector<std::pair<std::string, std::string>> entries;
    std::vector<std::string> strings;  // quoted items (DRY's sequence breakers)
    double operator[](const std::string &key) const { return values.at(key); }
};

class Tokenizer;
namespace grammar {
class VocabTrieCache;
}

// What a sampler may need beyond its parameters, when the chain was made for a model: the
// vocabulary (its size and token texts) and the context length it was trained for.
struct SamplerContext {
    int32_t n_vocab = 0;                  // 0: no model given
    int32_t n_ctx_train = 0;
    const Tokenizer *tokenizer = nullptr;
    grammar::VocabTrieCache *vocab_tries = nullptr;  // the model's, for grammars
};

struct SamplerKind {
    const char *name;
    const char *summary;
    std::vector<SamplerParam> params;
    bool takes_entries;  // KEY=VALUE items beyond its parameters
    bool takes_strings;  // "quoted" items
    bool selects;        // picks the token (ends a chain)
    std::unique_ptr<SamplerUnit> (*make)(const SamplerArgs &args, const SamplerContext &context);
};

// The kinds, in llama.cpp's default chain order, and one by name (nullptr if unknown).
const std::vector<SamplerKind> &sampler_kinds();
const SamplerKind *find_sampler_kind(const std::string &name);
// "greedy, dist, ...": for error messages and lm_sampler_names.
std::string sampler_kind_names();
// Each kind with its parameters and defaults, one per line, as a spec with every key spelt out.
std::string sampler_catalog();
// llama.cpp's common_sampler defaults as specs, one per line, in its order.
std::string default_sampler_chain();

}  // namespace lamina
