// Sampler specs: "NAME key=value ..." (e.g. "top_k k=40", "logit_bias 15043=-inf 29871=2.5",
// "dry multiplier=0.8 \"\\n\" \":\""), checked against the sampler's kind: unknown names and
// keys, values that are not numbers and values out of range are errors naming what is wrong.
#pragma once

#include <string>

#include "sampling/sampler_unit.h"

namespace lamina {

struct ParsedSpec {
    const SamplerKind *kind;
    SamplerArgs args;
};

// A number as specs write them: decimal, or -inf / inf. False if it is neither.
bool parse_sampler_number(const std::string &text, double &out);

// Throws LaminaError(LM_ERR_INVALID_ARGUMENT).
ParsedSpec parse_sampler_spec(const std::string &spec);

}  // namespace lamina
