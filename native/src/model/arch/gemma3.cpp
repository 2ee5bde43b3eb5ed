// Gemma 3 (the text models: 1B, and the language part of 4B/12B/27B): Gemma 2's blocks (embeddings
// scaled by sqrt(n_embd), RMS norms before and after attention and feed-forward, a GELU-gated
// feed-forward) plus per-head RMS norms of Q and K before the rotary embedding, without any
// soft-capping. Five local layers attend through the sliding window for each global one (layers
// 5, 11, 17, ... are global); local layers rotate with base 10000 and no scaling, global layers
// with rope.freq_base and the file's rope scaling (linear 8 on 4B/12B/27B). Queries are scaled
// before attention by 1/sqrt(query_pre_attn_scalar), which llama.cpp takes as head_dim, or
// n_embd / n_head for the 62-layer 27B. Norm weights are stored with Gemma's +1 already added.
#include <cmath>

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "model/arch/architecture.h"
#include "model/arch/common_tensors.h"
#include "model/forward.h"
#include "model/value_range.h"

namespace lamina {
namespace {

constexpr int64_t kDefaultSwaPeriod = 6;      // every 6th layer global
constexpr double kLocalRopeBase = 10000.0;    // rope.freq_base_swa when the file has none
constexpr int32_t kLayers27B = 62;            // the size whose query scale is n_embd / n_head

void read_hparams(const GgufFile &f, ModelHparams &hp) {
    const std::string a = hp.architecture;
    hp.rope_layout = RopeLayout::HalfSplit;
    if (hp.n_swa == 0) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': " + a + " needs metadata '" + a +
                                    ".attention.sliding_window' (the local layers' window)");
    }
    // The period of local and global layers: period - 1 local layers, then a global one.
    const std::string period_key = a + ".attention.sliding_window_pattern";
    const GgufValue *period_value = f.find(period_key);
    if (period_value != nullptr && !period_value->is_integer()) {
        fail(LM_ERR_UNSUPPORTED, "'" + f.name() + "': metadata '" + period_key +
                                     "' is not an integer (per-layer patterns are not supported)");
    }
    const int64_t period = f.get_int_or(period_key, kDefaultSwaPeriod);
    if (period < 1 || period > 4096) {
        fail(LM_ERR_BAD_FORMAT, "'" + f.name() + "': metadata '" + period_key + "' = " + std::to_string(period) +
                                    " is out of range (1..4096)");
    }
    hp.swa_layers.assign(static_cast<size_t>(hp.n_layer), false);
    for (int32_t l = 0; l < hp.n_layer; ++l) hp.swa_layers[l] = l % period < period - 1;

    const std::string base_key = a + ".rope.freq_base_swa";
    const double local_base = f.get_float_or(base_key, kLocalRopeBase);
    require_in_range("'" + f.name() + "': metadata '" + base_key + "'", local_base, ValueRange{1.0, 1e12});
    hp.rope_freq_base_swa = static_cast<float>(local_base);
    hp.rope_freq_scale_swa = 1.0f;

    // Gemma 3 has no soft caps (llama.cpp ignores the keys for it).
    hp.attn_logit_softcap = 0.0f;
    hp.final_logit_softcap = 0.0f;
    const float pre_attn_scalar = hp.n_layer == kLayers27B ? static_cast<float>(hp.n_embd / hp.n_head)
                                                           : static_cast<float>(hp.head_dim);
    hp.query_scale = 1.0f / std::sqrt(pre_attn_scalar);
}

void bind(WeightBinder &b, const ModelHparams &hp, ModelWeights &w) {
    bind_embeddings(b, hp, w);
    for (int32_t l = 0; l < hp.n_layer; ++l) {
        const LayerNames n(l);
        LayerWeights &L = w.layers[l];
        L.attn_norm = b.vector(n("attn_norm.weight"), hp.n_embd);
        bind_attention(b, hp, l, L);
        bind_qk_norm(b, hp, l, L);
        L.post_attn_norm = b.vector(n("post_attention_norm.weight"), hp.n_embd);
        L.ffn_norm = b.vector(n("ffn_norm.weight"), hp.n_embd);
        bind_swiglu(b, hp, l, L);  // gate, up, down; the activation is GELU
        L.post_ffn_norm = b.vector(n("post_ffw_norm.weight"), hp.n_embd);
    }
}

void forward(Forward &f) {
    f.embed(std::sqrt(static_cast<float>(f.hp().n_embd)));
    for (int32_t l = 0; l < f.hp().n_layer; ++l) {
        const LayerWeights &L = f.layer(l);
        f.begin_layer(l);
        // x += post_norm(attention(norm(x))): QK norms, then the local or global rotation,
        // then the query scale; windowed on the local layers
        f.rms_norm(f.x(), L.attn_norm, f.xn(), l, "attention norm");
        f.attention(l, f.xn(), f.out());
        f.rms_norm(f.out(), L.post_attn_norm, f.out(), l, "post-attention norm");
        f.add_residual(f.out(), l, "residual after attention");
        // x += post_norm(down(gelu(gate) * up)(norm(x)))
        f.rms_norm(f.x(), L.ffn_norm, f.xn(), l, "feed-forward norm");
        f.feed_forward(l, f.xn(), f.out(), FfnActivation::GeGluTanh);
        f.rms_norm(f.out(), L.post_ffn_norm, f.out(), l, "post-feed-forward norm");
        f.add_residual(f.out(), l, "residual after the feed-forward block");
    }
    f.output_head_rms();
}

}  // namespace

extern const Architecture kGemma3Architecture = {
    "gemma3",
    "Gemma 2's blocks plus per-head Q/K RMSNorm, no soft-capping; 5 sliding-window layers per global one, "
    "local rope base 10000, global rope base and scaling from the file",
    read_hparams, bind, forward};

}  // namespace lamina
