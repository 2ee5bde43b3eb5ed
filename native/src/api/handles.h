// What the opaque handles of lamina.h are.
#pragma once

#include <memory>
#include <vector>

#include "model/lora_adapter.h"
#include "model/model.h"
#include "runtime/session.h"
#include "runtime/shared_thread_pool.h"
#include "sampling/grammar/vocab_trie.h"
#include "sampling/sampler_chain.h"

struct lm_model {
    std::unique_ptr<lamina::Model> impl;
    // Created with the model, threads started by the first evaluation (see lamina.h).
    std::unique_ptr<lamina::SharedThreadPool> threads = std::make_unique<lamina::SharedThreadPool>();
    // The vocabulary trie grammars mask with, built by the first grammar sampler.
    std::unique_ptr<lamina::grammar::VocabTrieCache> vocab_tries = std::make_unique<lamina::grammar::VocabTrieCache>();
};

// Kept as the columns lamina::BatchView reads.
struct lm_batch {
    std::vector<lm_token> tokens;
    std::vector<int32_t> positions, seq_ids;
    std::vector<uint8_t> logits;
    lamina::BatchView view() const {
        return {static_cast<int32_t>(tokens.size()), tokens.data(), positions.data(), seq_ids.data(), logits.data()};
    }
};

struct lm_session {
    std::unique_ptr<lamina::Session> impl;
};

// Shared with the sessions applying it (see lamina.h on ownership).
struct lm_lora_adapter {
    std::shared_ptr<const lamina::LoraAdapter> impl;
};

struct lm_sampler {
    lm_sampler(uint64_t seed, lamina::SamplerContext context) : impl(seed, context) {}
    lamina::SamplerChain impl;
};
