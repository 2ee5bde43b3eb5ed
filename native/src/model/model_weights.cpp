#include "model/model_weights.h"

namespace lamina {

std::vector<Weight *> ModelWeights::matrices() {
    std::vector<Weight *> out;
    auto add = [&](Weight &w) {
        if (w.present() && w.data != token_embd.data) out.push_back(&w);
    };
    // The tied output matrix is the embedding's tensor: it gets a copy of its own, and the
    // embedding keeps the file's layout for its row lookups.
    if (output.present()) out.push_back(&output);
    for (LayerWeights &L : layers) {
        for (Weight *w : {&L.wq, &L.wk, &L.wv, &L.wqkv, &L.wo, &L.wq_a, &L.wq_b, &L.wkv_a_mqa, &L.ffn_gate, &L.ffn_up,
                          &L.ffn_down, &L.ffn_gate_shexp, &L.ffn_up_shexp, &L.ffn_down_shexp}) {
            add(*w);
        }
        for (std::vector<Weight> *experts : {&L.gate_exps, &L.up_exps, &L.down_exps, &L.wk_b, &L.wv_b}) {
            for (Weight &w : *experts) add(w);
        }
    }
    return out;
}

std::vector<const Weight *> ModelWeights::matrices() const {
    const std::vector<Weight *> all = const_cast<ModelWeights *>(this)->matrices();
    return {all.begin(), all.end()};
}

}  // namespace lamina
