// The token list of a GGUF vocabulary (tokenizer.ggml.tokens/scores/token_type) with the
// special-token ids and attributes llama.cpp derives from it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "lamina.h"

namespace lamina {

class GgufFile;

// Token attributes (llama.cpp's llama_token_attr), derived from tokenizer.ggml.token_type.
enum TokenAttr : uint32_t {
    kAttrUndefined = 0,
    kAttrUnknown = 1u << 0,
    kAttrUnused = 1u << 1,
    kAttrNormal = 1u << 2,
    kAttrControl = 1u << 3,
    kAttrUserDefined = 1u << 4,
    kAttrByte = 1u << 5,
};

enum class VocabKind { Spm, Bpe };

class Vocabulary {
public:
    // Reads tokens, scores and types, then the special ids (bos/eos/eot/..., with llama.cpp's
    // per-model defaults and its detection of end-of-turn tokens by their text). Throws
    // LaminaError naming the key at fault.
    // has_default_bos: whether a BPE vocabulary's BOS id defaults to llama.cpp's 11 (else none).
    Vocabulary(const GgufFile &file, VocabKind kind, bool add_bos_default, bool has_default_bos = true);
    // Movable (the texts' buffer moves along with the index into it), not copyable.
    Vocabulary(Vocabulary &&) = default;
    Vocabulary &operator=(Vocabulary &&) = default;
    Vocabulary(const Vocabulary &) = delete;
    Vocabulary &operator=(const Vocabulary &) = delete;

    int32_t size() const { return int32_t(offsets_.size() - 1); }
    std::string_view text(lm_token id) const {
        return std::string_view(storage_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
    }
    float score(lm_token id) const { return scores_[id]; }
    uint32_t attr(lm_token id) const { return attrs_[id]; }
    // The id of a token with exactly this text, or -1.
    lm_token find(std::string_view text) const {
        const auto it = index_.find(text);
        return it == index_.end() ? -1 : it->second;
    }

    lm_token bos() const { return bos_; }
    lm_token eos() const { return eos_; }
    lm_token eot() const { return eot_; }
    bool add_bos() const { return add_bos_; }
    bool add_space_prefix() const { return add_space_prefix_; }
    bool is_eog(lm_token id) const { return eog_.count(id) != 0; }

    // CONTROL, USER_DEFINED and UNKNOWN tokens, longest text first: the texts the special-token
    // pass looks for.
    const std::vector<lm_token> &special_tokens() const { return special_tokens_; }

    // Throws LaminaError(LM_ERR_INVALID_ARGUMENT) unless 0 <= id < size().
    void check_id(lm_token id) const;

private:
    void read_tokens(const GgufFile &file);
    void read_special_ids(const GgufFile &file, VocabKind kind, bool has_default_bos);
    void detect_special_tokens_by_text();
    void collect_eog_tokens();

    // All token texts back to back. A vector, not a string: index_ holds views into it, and a
    // vector's buffer survives moving the Vocabulary (a short string's would not).
    std::vector<char> storage_;
    std::vector<uint32_t> offsets_;  // token i is storage_[offsets_[i], offsets_[i+1])
    std::vector<float> scores_;
    std::vector<uint32_t> attrs_;
    std::unordered_map<std::string_view, lm_token> index_;  // views into storage_

    lm_token bos_ = -1, eos_ = -1, eot_ = -1, eom_ = -1, unk_ = -1;
    lm_token fim_pre_ = -1, fim_suf_ = -1, fim_mid_ = -1, fim_pad_ = -1, fim_rep_ = -1, fim_sep_ = -1;
    bool add_bos_ = true;
    bool add_space_prefix_ = true;
    std::unordered_set<lm_token> eog_;
    std::vector<lm_token> special_tokens_;
};

}  // namespace lamina
