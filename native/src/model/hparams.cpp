#include "model/hparams.h"

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "model/architecture.h"
#include "model/value_range.h"

namespace lamina {
namespace {

int32_t positive_int(const GgufFile &f, const std::string &key, int64_t value, int64_t max) {
    if (value <= 0 || value > max) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': metadata '" + key + "' = " +
                                    std::to_string(value) + " is out of range (1.." +
                                    std::to_string(max) + ")");
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
// powers are all 1 or grow, a norm that divides by zero or by NaN.
const FloatHparam kFloatHparams[] = {
    {"rope.freq_base", &ModelHparams::rope_freq_base, 10000.0, {1.0, 1e12}},
    {"rope.scaling.factor", &ModelHparams::rope_scaling_factor, 1.0, {1e-3, 1e6}},
    {"attention.layer_norm_rms_epsilon", &ModelHparams::rms_norm_eps, 1e-5, {0.0, 1.0, /*lo_open=*/true}},
};

void read_float_hparams(const GgufFile &f, const std::string &arch, ModelHparams &hp) {
    for (const FloatHparam &h : kFloatHparams) {
        const std::string key = arch + "." + h.key;
        const double value = f.get_float_or(key, h.fallback);
        require_in_range("'" + f.name() + "': metadata '" + key + "'", value, h.range);
        hp.*h.field = static_cast<float>(value);
    }
}

}  // namespace

ModelHparams ModelHparams::from_gguf(const GgufFile &f, bool vocab_only) {
    ModelHparams hp;
    hp.architecture = std::string(f.get_string("general.architecture"));
    const std::string a = hp.architecture;
    const ArchitectureTraits *traits = find_architecture(a);
    if (traits == nullptr && !vocab_only) {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': architecture '" + a +
                                     "' is not supported (supported: " + supported_architectures() + ")");
    }
    if (traits != nullptr) {
        hp.rope_layout = traits->rope_layout;
        hp.qkv_bias = traits->qkv_bias;
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
    const int64_t value_length = f.get_int_or(a + ".attention.value_length", hp.head_dim);
    if (value_length != hp.head_dim) {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': attention.value_length " + std::to_string(value_length) +
                                     " differs from key_length " + std::to_string(hp.head_dim));
    }
    hp.n_rot = positive_int(f, a + ".rope.dimension_count",
                            f.get_int_or(a + ".rope.dimension_count", hp.head_dim), hp.head_dim);
    if (hp.n_rot > 4096) {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': rope.dimension_count " + std::to_string(hp.n_rot) + " exceeds 4096");
    }
    if (hp.n_rot % 2 != 0) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': rope.dimension_count " + std::to_string(hp.n_rot) + " is odd");
    }
    read_float_hparams(f, a, hp);
    const std::string scaling = std::string(f.get_string_or(a + ".rope.scaling.type", "none"));
    if (scaling == "linear") {
        hp.rope_freq_scale = 1.0f / hp.rope_scaling_factor;
    } else if (scaling != "none") {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': rope scaling '" + scaling +
                                     "' is not supported (none, linear)");
    }
    hp.n_expert = static_cast<int32_t>(f.get_int_or(a + ".expert_count", 0));
    hp.n_expert_used = static_cast<int32_t>(f.get_int_or(a + ".expert_used_count", 0));
    if (hp.n_expert < 0 || hp.n_expert > 1024 || hp.n_expert_used < 0 || hp.n_expert_used > hp.n_expert) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': expert_count " + std::to_string(hp.n_expert) +
                                    " / expert_used_count " + std::to_string(hp.n_expert_used) + " are inconsistent");
    }
    return hp;
}

}  // namespace lamina
