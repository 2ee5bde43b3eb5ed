// The feed-forward blocks shared by the architectures: dense (Forward::feed_forward) and the
// mixture of experts (Forward::experts).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/error.h"
#include "model/finite_check.h"
#include "model/forward.h"

namespace lamina {

void Forward::ffn(const Weight &gate, const Weight &up, const Weight &up_b, const Weight &down, const Weight &down_b,
                  const float *in, int64_t n_rows, float *out, FfnActivation act, int32_t layer) {
    const int64_t F = down.cols;
    const auto rows_check = [&](const float *data, int64_t width, const char *step, const Weight *w) {
        if (diagnose_) require_finite(data, static_cast<size_t>(n_rows * width), layer, step, w);
    };
    if (act == FfnActivation::Gelu) {
        float *u = grow(s_.up, n_rows * F);
        matmul(up, in, n_rows, u);
        if (up_b.present()) add_bias(u, n_rows, up_b);
        rows_check(u, F, "feed-forward up projection", &up);
        be_.gelu(u, n_rows * F);
        rows_check(u, F, "feed-forward activation", nullptr);
        matmul(down, u, n_rows, out);
    } else if (gate.present()) {
        float *g = grow(s_.gate, n_rows * F), *u = grow(s_.up, n_rows * F);
        matmul(gate, in, n_rows, g);
        rows_check(g, F, "feed-forward gate", &gate);
        matmul(up, in, n_rows, u);
        rows_check(u, F, "feed-forward up projection", &up);
        if (act == FfnActivation::SwiGlu) {
            be_.swiglu(g, u, g, n_rows * F);
        } else {
            be_.geglu(g, u, g, n_rows * F);
        }
        rows_check(g, F, "feed-forward activation", nullptr);
        matmul(down, g, n_rows, out);
    } else {
        // Gate and up fused in one matrix: each output row holds F gate values, then F up values.
        float *gu = grow(s_.up, n_rows * 2 * F), *g = grow(s_.gate, n_rows * F);
        matmul(up, in, n_rows, gu);
        rows_check(gu, 2 * F, "feed-forward fused gate and up projection", &up);
        for (int64_t t = 0; t < n_rows; ++t) {
            const float *row = gu + t * 2 * F;
            if (act == FfnActivation::SwiGlu) {
                be_.swiglu(row, row + F, g + t * F, F);
            } else {
                be_.geglu(row, row + F, g + t * F, F);
            }
        }
        rows_check(g, F, "feed-forward activation", nullptr);
        matmul(down, g, n_rows, out);
    }
    if (down_b.present()) add_bias(out, n_rows, down_b);
    rows_check(out, down.rows, "feed-forward output", &down);
}

void Forward::feed_forward(int32_t l, const float *in, float *out, FfnActivation act) {
    const LayerWeights &L = layer(l);
    stop_if_asked(l);
    ffn(L.ffn_gate, L.ffn_up, L.ffn_up_b, L.ffn_down, L.ffn_down_b, in, T_, out, act, l);
}

void Forward::route(int32_t l, const float *in) {
    const LayerWeights &L = layer(l);
    const int32_t n_exp = hp_.n_expert, k = hp_.n_expert_used;
    float *logits = grow(s_.router, T_ * n_exp);
    matmul(L.ffn_gate_inp, in, T_, logits);
    check(logits, n_exp, l, "expert router", &L.ffn_gate_inp);
    s_.expert_rows.resize(static_cast<size_t>(T_ * k));
    s_.expert_weight.resize(static_cast<size_t>(T_ * k));
    std::vector<float> probs(static_cast<size_t>(n_exp)), select(static_cast<size_t>(n_exp));
    std::vector<int32_t> order(static_cast<size_t>(n_exp));
    const float *bias = L.ffn_exp_probs_b.present() ? reinterpret_cast<const float *>(L.ffn_exp_probs_b.data) : nullptr;
    for (int64_t t = 0; t < T_; ++t) {
        const float *z = logits + t * n_exp;
        if (hp_.expert_gating == ExpertGating::Softmax) {
            const float m = *std::max_element(z, z + n_exp);
            double sum = 0;
            for (int32_t e = 0; e < n_exp; ++e) sum += probs[e] = std::exp(z[e] - m);
            for (int32_t e = 0; e < n_exp; ++e) probs[e] = static_cast<float>(probs[e] / sum);
        } else {
            for (int32_t e = 0; e < n_exp; ++e) probs[e] = 1.0f / (1.0f + std::exp(-z[e]));
        }
        // The selection bias (DeepSeek V3) changes which experts are chosen, not their weights.
        for (int32_t e = 0; e < n_exp; ++e) select[e] = probs[e] + (bias != nullptr ? bias[e] : 0.0f);
        for (int32_t e = 0; e < n_exp; ++e) order[e] = e;
        std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int32_t a, int32_t b) {
            return select[a] > select[b] || (select[a] == select[b] && a < b);
        });
        float total = 0;
        for (int32_t i = 0; i < k; ++i) total += probs[order[i]];
        for (int32_t i = 0; i < k; ++i) {
            float w = probs[order[i]];
            if (hp_.expert_weights_norm) w /= total;
            s_.expert_rows[t * k + i] = order[i];
            s_.expert_weight[t * k + i] = w * hp_.expert_weights_scale;
        }
    }
}

void Forward::experts(int32_t l, const float *in, float *out) {
    const LayerWeights &L = layer(l);
    stop_if_asked(l);
    const int64_t E = hp_.n_embd;
    const int32_t k = hp_.n_expert_used;
    route(l, in);
    std::fill(out, out + T_ * E, 0.0f);
    // Each expert's tokens gathered into one block of rows, so its matrices are read once for
    // the whole micro-batch, then its outputs added back to each token's row, weighted.
    std::vector<int32_t> rows;
    std::vector<float> weights;
    float *gathered = grow(s_.ffn_in, T_ * E), *result = grow(s_.ffn_out, T_ * E);
    for (int32_t e = 0; e < hp_.n_expert; ++e) {
        rows.clear();
        weights.clear();
        for (int64_t t = 0; t < T_; ++t) {
            for (int32_t i = 0; i < k; ++i) {
                if (s_.expert_rows[t * k + i] != e) continue;
                rows.push_back(static_cast<int32_t>(t));
                weights.push_back(s_.expert_weight[t * k + i]);
            }
        }
        if (rows.empty()) continue;
        const int64_t n = static_cast<int64_t>(rows.size());
        for (int64_t r = 0; r < n; ++r) std::memcpy(gathered + r * E, in + rows[r] * E, E * sizeof(float));
        ffn(L.gate_exps[e], L.up_exps[e], Weight{}, L.down_exps[e], Weight{}, gathered, n, result, FfnActivation::SwiGlu,
            l);
        ++s_.expert_passes;
        for (int64_t r = 0; r < n; ++r) {
            float *o = out + rows[r] * E;
            const float *y = result + r * E;
            for (int64_t i = 0; i < E; ++i) o[i] += weights[r] * y[i];
        }
    }
    check(out, E, l, "experts");
    if (L.ffn_up_shexp.present()) {
        ffn(L.ffn_gate_shexp, L.ffn_up_shexp, Weight{}, L.ffn_down_shexp, Weight{}, in, T_, result,
            FfnActivation::SwiGlu, l);
        be_.add(out, result, T_ * E);
        check(out, E, l, "shared experts");
    }
}

}  // namespace lamina
