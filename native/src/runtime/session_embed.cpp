// Session::embed: many texts embedded together, each its own sequence of one batch, pooled
// from the hidden states the forward pass outputs in place of logits.
#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"
#include "runtime/session.h"

namespace lamina {
namespace {

lm_pooling resolve_pooling(lm_pooling pooling, const ModelHparams &hp) {
    if (pooling == LM_POOLING_MODEL) {
        switch (hp.pooling_type) {
            case 1: return LM_POOLING_MEAN;
            case 2: return LM_POOLING_CLS;
            case 3: return LM_POOLING_LAST;
            case 4: fail(LM_ERR_UNSUPPORTED, "the model's pooling_type 4 (rank, for rerankers) is not supported");
            default: return LM_POOLING_LAST;  // decoders have none: the last token has seen the whole text
        }
    }
    if (pooling != LM_POOLING_MEAN && pooling != LM_POOLING_CLS && pooling != LM_POOLING_LAST) {
        fail(LM_ERR_INVALID_ARGUMENT, "pooling " + std::to_string(static_cast<int>(pooling)) +
                                          " is not one of LM_POOLING_MODEL (-1), MEAN (1), CLS (2), LAST (3); per-token "
                                          "embeddings come from lm_session_embeddings");
    }
    return pooling;
}

}  // namespace

void Session::embed(const lm_token *const *texts, const int32_t *lengths, int32_t n_texts, lm_pooling pooling,
                    bool normalize, float *out, size_t out_capacity) {
    if (!embeddings_) fail(LM_ERR_INVALID_ARGUMENT, "embed needs a session made with embeddings = true");
    if (texts == nullptr || lengths == nullptr || out == nullptr || n_texts <= 0) {
        fail(LM_ERR_INVALID_ARGUMENT, "embed needs texts, their lengths, an output and n_texts > 0 (got " +
                                          std::to_string(n_texts) + ")");
    }
    const int32_t n_embd = model_.hparams().n_embd;
    if (out_capacity < static_cast<size_t>(n_texts) * n_embd) {
        fail(LM_ERR_BUFFER_TOO_SMALL, "embed: the output holds " + std::to_string(out_capacity) + " floats; " +
                                          std::to_string(n_texts) + " texts of " + std::to_string(n_embd) +
                                          " need " + std::to_string(static_cast<size_t>(n_texts) * n_embd));
    }
    const lm_pooling how = resolve_pooling(pooling, model_.hparams());
    const int32_t longest = std::min(n_batch_, n_ctx_);
    for (int32_t i = 0; i < n_texts; ++i) {
        if (texts[i] == nullptr || lengths[i] <= 0 || lengths[i] > longest) {
            fail(LM_ERR_INVALID_ARGUMENT, "embed: text " + std::to_string(i) + " has " + std::to_string(lengths[i]) +
                                              " tokens; a text needs 1.." + std::to_string(longest) +
                                              " (the session's n_batch and context)");
        }
    }
    std::vector<lm_token> tokens;
    std::vector<int32_t> positions, seqs;
    std::vector<uint8_t> wanted;
    cells_.remove(-1, 0, -1);
    try {
        for (int32_t first = 0; first < n_texts;) {
            // As many texts as there are sequences and room in one batch.
            int32_t last = first, total = 0;
            while (last < n_texts && last - first < n_seq_max_ && total + lengths[last] <= longest) total += lengths[last++];
            tokens.clear(), positions.clear(), seqs.clear(), wanted.clear();
            for (int32_t t = first; t < last; ++t) {
                for (int32_t p = 0; p < lengths[t]; ++p) {
                    tokens.push_back(texts[t][p]);
                    positions.push_back(p);
                    seqs.push_back(t - first);
                    wanted.push_back(how == LM_POOLING_MEAN || (how == LM_POOLING_CLS && p == 0) ||
                                     (how == LM_POOLING_LAST && p == lengths[t] - 1));
                }
            }
            decode(BatchView{static_cast<int32_t>(tokens.size()), tokens.data(), positions.data(), seqs.data(),
                             wanted.data()});
            int32_t row = 0;
            for (int32_t t = first; t < last; ++t) {
                float *v = out + static_cast<size_t>(t) * n_embd;
                const int32_t rows = how == LM_POOLING_MEAN ? lengths[t] : 1;
                for (int32_t d = 0; d < n_embd; ++d) v[d] = 0.0f;
                // Summed in double: a long text's mean stays exact to float rounding.
                for (int32_t d = 0; d < n_embd; ++d) {
                    double sum = 0;
                    for (int32_t r = 0; r < rows; ++r) sum += output_row(row + r)[d];
                    v[d] = static_cast<float>(sum / rows);
                }
                row += rows;
                if (normalize) {
                    double norm = 0;
                    for (int32_t d = 0; d < n_embd; ++d) norm += static_cast<double>(v[d]) * v[d];
                    norm = std::sqrt(norm);
                    if (norm > 0) {
                        for (int32_t d = 0; d < n_embd; ++d) v[d] = static_cast<float>(v[d] / norm);
                    }
                }
            }
            cells_.remove(-1, 0, -1);
            first = last;
        }
    } catch (...) {
        cells_.remove(-1, 0, -1);
        n_logit_rows_ = 0;
        throw;
    }
    n_logit_rows_ = 0;
}

}  // namespace lamina
