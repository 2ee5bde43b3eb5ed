// The sampler kinds, in the order llama.cpp's common_sampler applies them. Adding a sampler is a
// file under samplers/ plus an entry here.
#include <cstdio>
#include <string>

#include "sampling/sampler_unit.h"

namespace lamina {

extern const SamplerKind kLogitBiasSampler;
extern const SamplerKind kPenaltiesSampler;
extern const SamplerKind kDrySampler;
extern const SamplerKind kTopKSampler;
extern const SamplerKind kTypicalPSampler;
extern const SamplerKind kTopPSampler;
extern const SamplerKind kMinPSampler;
extern const SamplerKind kXtcSampler;
extern const SamplerKind kTemperatureSampler;
extern const SamplerKind kMirostatV1Sampler;
extern const SamplerKind kMirostatV2Sampler;
extern const SamplerKind kGreedySampler;
extern const SamplerKind kDistributionSampler;

namespace {

// llama.cpp's default chain (common_params_sampling: penalties, dry, top_k, typical, top_p,
// min_p, xtc, temperature, then a seeded draw), each sampler with its kind's defaults.
const char *const kDefaultChain[] = {"penalties", "dry", "top_k", "typical", "top_p", "min_p", "xtc", "temperature", "dist"};

std::string format_value(const SamplerParam &p, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, p.integer ? "%.0f" : "%g", v);
    return buf;
}

std::string spec_with_defaults(const SamplerKind &k) {
    std::string s = k.name;
    for (const SamplerParam &p : k.params) s += " " + std::string(p.key) + "=" + format_value(p, p.default_value);
    return s;
}

}  // namespace

const std::vector<SamplerKind> &sampler_kinds() {
    static const std::vector<SamplerKind> kinds = {
        kLogitBiasSampler, kPenaltiesSampler, kDrySampler, kTopKSampler,         kTypicalPSampler,   kTopPSampler,    kMinPSampler,
        kXtcSampler,       kTemperatureSampler, kMirostatV1Sampler, kMirostatV2Sampler, kGreedySampler,     kDistributionSampler,
    };
    return kinds;
}

const SamplerKind *find_sampler_kind(const std::string &name) {
    for (const SamplerKind &k : sampler_kinds()) {
        if (name == k.name) return &k;
    }
    return nullptr;
}

std::string sampler_kind_names() {
    std::string s;
    for (const SamplerKind &k : sampler_kinds()) s += (s.empty() ? "" : ", ") + std::string(k.name);
    return s;
}

std::string sampler_catalog() {
    std::string s;
    for (const SamplerKind &k : sampler_kinds()) {
        s += spec_with_defaults(k);
        if (k.takes_entries) s += " TOKEN=BIAS...";
        s += "\t" + std::string(k.summary) + "\n";
    }
    return s;
}

std::string default_sampler_chain() {
    std::string s;
    for (const char *name : kDefaultChain) s += spec_with_defaults(*find_sampler_kind(name)) + "\n";
    return s;
}

}  // namespace lamina
