#include "convert/synthesize_model.h"

#include <cmath>
#include <string_view>

#include "common/error.h"
#include "common/output_guard.h"
#include "convert/random_weight.h"
#include "convert/tensor_converter.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "quant/quantize.h"

namespace lamina {
namespace {

struct PlannedTensor {
    std::string name;
    std::vector<int64_t> ne;
    int32_t layer;
    bool is_norm;
};

}  // namespace

void synthesize_model(const std::string &out_path, const ModelShape &s, const std::string &vocab_path,
                      const FileType &ft, uint64_t seed, int n_threads, const ProgressFn &progress) {
    refuse_output_aliasing(out_path, {vocab_path});
    auto vocab = GgufFile::open(vocab_path);
    const GgufValue &tokens = vocab->get_array("tokenizer.ggml.tokens");
    const int64_t n_vocab = static_cast<int64_t>(tokens.count);
    const int64_t head_dim = s.head_dim > 0 ? s.head_dim : s.n_embd / s.n_head;
    const std::string arch = s.architecture;
    const bool gemma = arch == "gemma3";
    const bool qk_norm = arch == "qwen3" || arch == "qwen3moe" || gemma;
    const bool fused = arch == "phi3";

    GgufWriter w;
    const auto key = [&](const char *k) { return arch + "." + k; };
    w.set_string("general.architecture", arch);
    w.set_string("general.name", std::string("random-weight ") + s.describes + " (lamina synth)");
    w.set_u32("general.file_type", static_cast<uint32_t>(ft.id));
    w.set_u32("general.quantization_version", 2);
    w.set_u32(key("context_length"), static_cast<uint32_t>(s.n_ctx));
    w.set_u32(key("embedding_length"), static_cast<uint32_t>(s.n_embd));
    w.set_u32(key("block_count"), static_cast<uint32_t>(s.n_layer));
    w.set_u32(key("feed_forward_length"), static_cast<uint32_t>(s.n_ff));
    w.set_u32(key("attention.head_count"), static_cast<uint32_t>(s.n_head));
    w.set_u32(key("attention.head_count_kv"), static_cast<uint32_t>(s.n_head_kv));
    if (s.head_dim > 0) {
        w.set_u32(key("attention.key_length"), static_cast<uint32_t>(head_dim));
        w.set_u32(key("attention.value_length"), static_cast<uint32_t>(head_dim));
    }
    w.set_u32(key("rope.dimension_count"), static_cast<uint32_t>(head_dim));
    w.set_f32(key("rope.freq_base"), s.rope_freq_base);
    w.set_f32(key("attention.layer_norm_rms_epsilon"), s.rms_norm_eps);
    if (s.n_swa > 0) w.set_u32(key("attention.sliding_window"), static_cast<uint32_t>(s.n_swa));
    if (s.rope_scaling_linear > 0.0f) {
        w.set_string(key("rope.scaling.type"), "linear");
        w.set_f32(key("rope.scaling.factor"), s.rope_scaling_linear);
    }
    if (s.n_expert > 0) {
        w.set_u32(key("expert_count"), static_cast<uint32_t>(s.n_expert));
        w.set_u32(key("expert_used_count"), static_cast<uint32_t>(s.n_expert_used));
        w.set_u32(key("expert_feed_forward_length"), static_cast<uint32_t>(s.n_ff_expert));
    }
    w.set_u32(key("vocab_size"), static_cast<uint32_t>(n_vocab));
    for (const GgufKv &kv : vocab->metadata()) {
        if (kv.key.substr(0, 10) == "tokenizer.") w.set_value(kv.key, kv.value);
    }

    std::vector<PlannedTensor> plan;
    plan.push_back({"token_embd.weight", {s.n_embd, n_vocab}, -1, false});
    for (int32_t l = 0; l < s.n_layer; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        const int64_t q = s.n_head * head_dim, kv = s.n_head_kv * head_dim;
        plan.push_back({p + "attn_norm.weight", {s.n_embd}, l, true});
        if (fused) {
            plan.push_back({p + "attn_qkv.weight", {s.n_embd, q + 2 * kv}, l, false});
        } else {
            plan.push_back({p + "attn_q.weight", {s.n_embd, q}, l, false});
            plan.push_back({p + "attn_k.weight", {s.n_embd, kv}, l, false});
            plan.push_back({p + "attn_v.weight", {s.n_embd, kv}, l, false});
        }
        plan.push_back({p + "attn_output.weight", {q, s.n_embd}, l, false});
        if (qk_norm) {
            plan.push_back({p + "attn_q_norm.weight", {head_dim}, l, true});
            plan.push_back({p + "attn_k_norm.weight", {head_dim}, l, true});
        }
        if (gemma) plan.push_back({p + "post_attention_norm.weight", {s.n_embd}, l, true});
        plan.push_back({p + "ffn_norm.weight", {s.n_embd}, l, true});
        if (s.n_expert > 0) {
            const int64_t f = s.n_ff_expert;
            plan.push_back({p + "ffn_gate_inp.weight", {s.n_embd, s.n_expert}, l, false});
            plan.push_back({p + "ffn_gate_exps.weight", {s.n_embd, f, s.n_expert}, l, false});
            plan.push_back({p + "ffn_up_exps.weight", {s.n_embd, f, s.n_expert}, l, false});
            plan.push_back({p + "ffn_down_exps.weight", {f, s.n_embd, s.n_expert}, l, false});
        } else if (fused) {
            plan.push_back({p + "ffn_up.weight", {s.n_embd, 2 * s.n_ff}, l, false});
            plan.push_back({p + "ffn_down.weight", {s.n_ff, s.n_embd}, l, false});
        } else {
            plan.push_back({p + "ffn_gate.weight", {s.n_embd, s.n_ff}, l, false});
            plan.push_back({p + "ffn_up.weight", {s.n_embd, s.n_ff}, l, false});
            plan.push_back({p + "ffn_down.weight", {s.n_ff, s.n_embd}, l, false});
        }
        if (gemma) plan.push_back({p + "post_ffw_norm.weight", {s.n_embd}, l, true});
    }
    plan.push_back({"output_norm.weight", {s.n_embd}, -1, true});
    if (!s.tied_embedding) plan.push_back({"output.weight", {s.n_embd, n_vocab}, -1, false});

    std::vector<GgmlType> types;
    int64_t total = 0;
    for (const PlannedTensor &t : plan) {
        const GgmlType type = tensor_type_for(ft, t.name, t.ne[0], static_cast<uint32_t>(t.ne.size()), t.layer, s.n_layer);
        int64_t n = 1;
        for (int64_t d : t.ne) n *= d;
        w.add_tensor_info(t.name, type, t.ne, quant::row_bytes(type, t.ne[0]) * static_cast<size_t>(n / t.ne[0]));
        types.push_back(type);
        total += n;
    }

    ThreadPool pool(n_threads);
    int64_t done = 0;
    w.write_streaming(out_path, [&](size_t i, std::vector<uint8_t> &bytes) {
        const PlannedTensor &t = plan[i];
        const int64_t n_per_row = t.ne[0];
        int64_t n = 1;
        for (int64_t d : t.ne) n *= d;
        convert_rows(types[i], n / n_per_row, n_per_row,
                     [&](int64_t r0, int64_t r1, float *out) {
                         for (int64_t k = 0; k < (r1 - r0) * n_per_row; ++k) {
                             const float r = random_weight(seed, i, static_cast<uint64_t>(r0 * n_per_row + k));
                             // Norm weights are 1, Gemma 3's 1 +- 0.35 (its many norms, Q/K's too,
                             // then show when one is applied in the wrong place).
                             out[k] = !t.is_norm ? r : gemma ? 1.0f + 10.0f * r : 1.0f;
                         }
                     },
                     pool, bytes);
        done += n;
        if (progress && !progress(done, total)) fail(LM_ERR_CANCELLED, "synth: cancelled");
    }, {vocab_path});
}

}  // namespace lamina
