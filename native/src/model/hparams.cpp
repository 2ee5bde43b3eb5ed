#include "model/hparams.h"

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "model/arch/architecture.h"
#include "model/value_range.h"

namespace lamina {
namespace {

int32_t positive_int(const GgufFile &f, const std::string &key, int64_t value, int64_t max) {
    if (value <= 0 || value > max) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': metadata '" + key + "' = " + std::to_string(value) +
                                    " is out of range (1.." + std::to_string(max) + ")");
    }
    return static_cast<int32_t>(value);
}

struct FloatHparam {
    const char *key;  // after "{architecture}."
    float ModelHparams::*field;
    double fallback;  // when the key is absent
    ValueRange range;
};

// Every float hyperparameter, read only through this table, so each one is checked for a value
// a working model can have. The ranges are wide (real models use a small part of each); what
// they exclude is what makes the arithmetic degenerate: 1/factor overflowing, a base whose
// powers are all 1 or grow, a norm that divides by zero or by NaN, a soft cap dividing by 0.
const FloatHparam kFloatHparams[] = {
    {"rope.freq_base", &ModelHparams::rope_freq_base, 10000.0, {1.0, 1e12}},
    {"rope.scaling.factor", &ModelHparams::rope_scaling_factor, 1.0, {1e-3, 1e6}},
    {"rope.scaling.attn_factor", &ModelHparams::rope_attn_factor, 1.0, {1e-3, 1e3}},
    {"rope.scaling.yarn_log_multiplier", &ModelHparams::rope_yarn_log_mul, 0.0, {0.0, 10.0}},
    {"rope.scaling.yarn_beta_fast", &ModelHparams::rope_yarn_beta_fast, 32.0, {0.0, 1e4}},
    {"rope.scaling.yarn_beta_slow", &ModelHparams::rope_yarn_beta_slow, 1.0, {0.0, 1e4}},
    {"attention.layer_norm_rms_epsilon", &ModelHparams::rms_norm_eps, 1e-5, {0.0, 1.0, /*lo_open=*/true}},
    {"attention.layer_norm_epsilon", &ModelHparams::layer_norm_eps, 1e-5, {0.0, 1.0, /*lo_open=*/true}},
    {"attn_logit_softcapping", &ModelHparams::attn_logit_softcap, 0.0, {0.0, 1e6}},
    {"final_logit_softcapping", &ModelHparams::final_logit_softcap, 0.0, {0.0, 1e6}},
    {"expert_weights_scale", &ModelHparams::expert_weights_scale, 1.0, {0.0, 1e6, /*lo_open=*/true}},
    {"attention.max_alibi_bias", &ModelHparams::alibi_max_bias, 8.0, {0.0, 1e3, /*lo_open=*/true}},
};

struct IntHparam {
    const char *key;
    int32_t ModelHparams::*field;
    int64_t max;  // the value lies in [0, max]; absent keys leave the default
};

// Optional counts; 0 or absent means the feature is not there.
const IntHparam kIntHparams[] = {
    {"expert_count", &ModelHparams::n_expert, 1024},
    {"expert_used_count", &ModelHparams::n_expert_used, 1024},
    {"expert_feed_forward_length", &ModelHparams::n_ff_expert, 1 << 20},
    {"expert_shared_count", &ModelHparams::n_expert_shared, 1024},
    {"leading_dense_block_count", &ModelHparams::n_layer_dense_lead, 4096},
    {"attention.sliding_window", &ModelHparams::n_swa, 1 << 24},
    {"pooling_type", &ModelHparams::pooling_type, 4},
    {"attention.q_lora_rank", &ModelHparams::q_lora_rank, 1 << 20},
    {"attention.kv_lora_rank", &ModelHparams::kv_lora_rank, 1 << 20},
    {"attention.key_length_mla", &ModelHparams::head_dim_mla, 1 << 16},
    {"attention.value_length_mla", &ModelHparams::head_dim_v_mla, 1 << 16},
    {"rope.scaling.original_context_length", &ModelHparams::rope_n_ctx_orig, 1 << 24},
};

void read_optional_hparams(const GgufFile &f, const std::string &arch, ModelHparams &hp) {
    for (const FloatHparam &h : kFloatHparams) {
        const std::string key = arch + "." + h.key;
        const double value = f.get_float_or(key, h.fallback);
        require_in_range("'" + f.name() + "': metadata '" + key + "'", value, h.range);
        hp.*h.field = static_cast<float>(value);
    }
    for (const IntHparam &h : kIntHparams) {
        const std::string key = arch + "." + h.key;
        const int64_t value = f.get_int_or(key, hp.*h.field);
        if (value < 0 || value > h.max) {
            fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': metadata '" + key + "' = " + std::to_string(value) +
                                        " is out of range (0.." + std::to_string(h.max) + ")");
        }
        hp.*h.field = static_cast<int32_t>(value);
    }
}

void check_experts(const GgufFile &f, const std::string &a, ModelHparams &hp) {
    if (hp.n_expert_used > hp.n_expert || (hp.n_expert > 0 && hp.n_expert_used == 0)) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': expert_count " + std::to_string(hp.n_expert) +
                                    " / expert_used_count " + std::to_string(hp.n_expert_used) + " are inconsistent");
    }
    if (hp.n_ff_expert == 0) hp.n_ff_expert = hp.n_ff;
    if (hp.n_layer_dense_lead > hp.n_layer) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': leading_dense_block_count " +
                                    std::to_string(hp.n_layer_dense_lead) + " exceeds block_count " +
                                    std::to_string(hp.n_layer));
    }
    const int64_t gating = f.get_int_or(a + ".expert_gating_func", 1);
    if (gating == 1) {
        hp.expert_gating = ExpertGating::Softmax;
    } else if (gating == 2) {
        hp.expert_gating = ExpertGating::Sigmoid;
    } else {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': expert_gating_func " + std::to_string(gating) +
                                     " is not supported (1 softmax, 2 sigmoid)");
    }
    hp.expert_weights_norm = f.get_bool_or(a + ".expert_weights_norm", hp.expert_weights_norm);
}

void read_rope_scaling(const GgufFile &f, const std::string &a, ModelHparams &hp) {
    const std::string scaling = std::string(f.get_string_or(a + ".rope.scaling.type", "none"));
    if (scaling == "linear") {
        hp.rope_freq_scale = 1.0f / hp.rope_scaling_factor;
    } else if (scaling == "yarn") {
        hp.rope_freq_scale = 1.0f / hp.rope_scaling_factor;
        hp.rope_yarn = true;
        if (hp.rope_n_ctx_orig == 0) hp.rope_n_ctx_orig = hp.n_ctx_train;
    } else if (scaling != "none") {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': rope scaling '" + scaling +
                                     "' is not supported (none, linear, yarn)");
    }
    if (hp.rope_n_ctx_orig == 0) hp.rope_n_ctx_orig = hp.n_ctx_train;
}

}  // namespace

ModelHparams ModelHparams::from_gguf(const GgufFile &f, bool vocab_only) {
    ModelHparams hp;
    hp.architecture = std::string(f.get_string("general.architecture"));
    const std::string a = hp.architecture;
    const Architecture *arch = find_architecture(a);
    if (arch == nullptr && !vocab_only) {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': architecture '" + a +
                                     "' is not supported (supported: " + supported_architectures() + ")");
    }
    const GgufValue &tokens = f.get_array("tokenizer.ggml.tokens");
    hp.n_vocab = positive_int(f, "tokenizer.ggml.tokens (count)", static_cast<int64_t>(tokens.count), 1 << 24);
    if (vocab_only) return hp;

    constexpr int64_t kMaxWidth = 1 << 20;
    hp.n_ctx_train = positive_int(f, a + ".context_length", f.get_int(a + ".context_length"), 1 << 24);
    hp.n_embd = positive_int(f, a + ".embedding_length", f.get_int(a + ".embedding_length"), kMaxWidth);
    hp.n_layer = positive_int(f, a + ".block_count", f.get_int(a + ".block_count"), 4096);
    hp.n_ff = positive_int(f, a + ".feed_forward_length", f.get_int(a + ".feed_forward_length"), kMaxWidth);
    hp.n_head = positive_int(f, a + ".attention.head_count", f.get_int(a + ".attention.head_count"), 4096);
    hp.n_head_kv = positive_int(f, a + ".attention.head_count_kv",
                                f.get_int_or(a + ".attention.head_count_kv", hp.n_head), 4096);
    if (hp.n_head % hp.n_head_kv != 0) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': head_count " + std::to_string(hp.n_head) +
                                    " is not a multiple of head_count_kv " + std::to_string(hp.n_head_kv));
    }
    const int64_t default_head_dim = hp.n_embd % hp.n_head == 0 ? hp.n_embd / hp.n_head : 0;
    hp.head_dim = positive_int(f, a + ".attention.key_length",
                               f.get_int_or(a + ".attention.key_length", default_head_dim), 1 << 16);
    hp.head_dim_v = positive_int(f, a + ".attention.value_length",
                                 f.get_int_or(a + ".attention.value_length", hp.head_dim), 1 << 16);
    hp.n_rot = positive_int(f, a + ".rope.dimension_count",
                            f.get_int_or(a + ".rope.dimension_count", hp.head_dim), hp.head_dim);
    if (hp.n_rot > 4096) {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': rope.dimension_count " + std::to_string(hp.n_rot) + " exceeds 4096");
    }
    if (hp.n_rot % 2 != 0) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': rope.dimension_count " + std::to_string(hp.n_rot) + " is odd");
    }
    read_optional_hparams(f, a, hp);
    read_rope_scaling(f, a, hp);
    check_experts(f, a, hp);
    arch->read_hparams(f, hp);
    if (hp.head_dim_v != hp.head_dim && hp.kv_lora_rank == 0) {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': attention.value_length " + std::to_string(hp.head_dim_v) +
                                     " differs from key_length " + std::to_string(hp.head_dim));
    }
    return hp;
}

}  // namespace lamina
