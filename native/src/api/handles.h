// What the opaque handles of lamina.h are.
#pragma once

#include <memory>

#include "model/llama_model.h"
#include "runtime/session.h"
#include "sampling/sampler.h"

struct lm_model {
    std::unique_ptr<lamina::LlamaModel> impl;
};

struct lm_session {
    std::unique_ptr<lamina::Session> impl;
};

struct lm_sampler {
    explicit lm_sampler(const lm_sampler_params &p) : impl(p) {}
    lamina::Sampler impl;
};
