#include "tokenizer/vocabulary.h"

#include <algorithm>
#include <limits>

#include "common/error.h"
#include "gguf/gguf_file.h"

namespace lamina {

namespace {

constexpr const char *kTokensKey = "tokenizer.ggml.tokens";
constexpr const char *kScoresKey = "tokenizer.ggml.scores";
constexpr const char *kTypesKey = "tokenizer.ggml.token_type";

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
uint32_t attr_from_type(int64_t type) {
    switch (type) {
        case 1: return kAttrNormal;
        case 2: return kAttrUnknown;
        case 3: return kAttrControl;
        case 4: return kAttrUserDefined;
        case 5: return kAttrUnused;
        case 6: return kAttrByte;
        default: return kAttrUndefined;
    }
}

bool is_numeric(GgufValueType t) {
    return t != GgufValueType::STRING && t != GgufValueType::ARRAY && t != GgufValueType::BOOL;
}

}  // namespace

Vocabulary::Vocabulary(const GgufFile &file, VocabKind kind, bool add_bos_default, bool has_default_bos) {
    read_tokens(file);
    add_bos_ = add_bos_default;
    add_space_prefix_ = kind == VocabKind::Spm;
    read_special_ids(file, kind, has_default_bos);
    detect_special_tokens_by_text();
    collect_eog_tokens();

    for (lm_token id = 0; id < size(); ++id) {
        if (attrs_[id] & (kAttrControl | kAttrUserDefined | kAttrUnknown)) special_tokens_.push_back(id);
    }
    std::stable_sort(special_tokens_.begin(), special_tokens_.end(),
                     [&](lm_token a, lm_token b) { return text(a).size() > text(b).size(); });
}

void Vocabulary::check_id(lm_token id) const {
    if (id < 0 || id >= size()) {
        fail(LM_ERR_INVALID_ARGUMENT,
             "token id " + std::to_string(id) + " is out of range (vocabulary size " + std::to_string(size()) + ")");
    }
}

void Vocabulary::read_tokens(const GgufFile &file) {
    const GgufValue &tokens = file.get_array(kTokensKey);
    if (tokens.elem_type != GgufValueType::STRING) {
        fail(LM_ERR_BAD_FORMAT, "'" + file.name() + "': " + kTokensKey + " must be an array of strings");
    }
    if (tokens.count == 0 || tokens.count > uint64_t(std::numeric_limits<int32_t>::max() - 1)) {
        fail(LM_ERR_BAD_FORMAT, "'" + file.name() + "': " + kTokensKey + " has " + std::to_string(tokens.count) + " entries");
    }
    const size_t n = size_t(tokens.count);

    const GgufValue *scores = file.find_array(kScoresKey);
    if (scores != nullptr && (!is_numeric(scores->elem_type) || scores->count < n)) {
        fail(LM_ERR_BAD_FORMAT, "'" + file.name() + "': " + kScoresKey + " must hold a number for each of the " +
                                    std::to_string(n) + " tokens");
    }
    const GgufValue *types = file.find_array(kTypesKey);
    if (types != nullptr && (!is_numeric(types->elem_type) || types->count < n)) {
        fail(LM_ERR_BAD_FORMAT, "'" + file.name() + "': " + kTypesKey + " must hold a type for each of the " +
                                    std::to_string(n) + " tokens");
    }

    size_t total = 0;
    for (size_t i = 0; i < n; ++i) total += tokens.strings[i].empty() ? 24 : tokens.strings[i].size();
    if (total > std::numeric_limits<uint32_t>::max()) {
        fail(LM_ERR_BAD_FORMAT, "'" + file.name() + "': " + kTokensKey + " is too large");
    }
    storage_.reserve(total);
    offsets_.reserve(n + 1);
    offsets_.push_back(0);
    scores_.resize(n);
    attrs_.resize(n);
    for (size_t i = 0; i < n; ++i) {
        // As llama.cpp does: an empty entry gets a placeholder text, so every id stays reachable.
        const std::string placeholder = "[EMPTY_" + std::to_string(i) + "]";
        const std::string_view t = tokens.strings[i].empty() ? std::string_view(placeholder) : tokens.strings[i];
        storage_.insert(storage_.end(), t.begin(), t.end());
        offsets_.push_back(uint32_t(storage_.size()));
        scores_[i] = scores != nullptr ? float(scores->elem_f64(i)) : 0.0f;
        attrs_[i] = types != nullptr ? attr_from_type(types->elem_i64(i)) : kAttrNormal;
    }

    index_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const auto inserted = index_.emplace(text(lm_token(i)), lm_token(i));
        if (!inserted.second) {
            fail(LM_ERR_BAD_FORMAT, "'" + file.name() + "': " + kTokensKey + " has the token '" +
                                        std::string(text(lm_token(i))) + "' twice (ids " +
                                        std::to_string(inserted.first->second) + " and " + std::to_string(i) + ")");
        }
    }
}

void Vocabulary::read_special_ids(const GgufFile &file, VocabKind kind, bool has_default_bos) {
    // llama.cpp's defaults for ids the file does not give.
    if (kind == VocabKind::Spm) {
        bos_ = 1;
        eos_ = 2;
        unk_ = 0;
    } else {
        bos_ = has_default_bos ? 11 : -1;
        eos_ = 11;
    }
    struct IdKey {
        const char *key;
        lm_token *id;
    };
    const IdKey keys[] = {
        {"tokenizer.ggml.bos_token_id", &bos_},         {"tokenizer.ggml.eos_token_id", &eos_},
        {"tokenizer.ggml.eot_token_id", &eot_},         {"tokenizer.ggml.eom_token_id", &eom_},
        {"tokenizer.ggml.unknown_token_id", &unk_},     {"tokenizer.ggml.fim_pre_token_id", &fim_pre_},
        {"tokenizer.ggml.fim_suf_token_id", &fim_suf_}, {"tokenizer.ggml.fim_mid_token_id", &fim_mid_},
        {"tokenizer.ggml.fim_pad_token_id", &fim_pad_}, {"tokenizer.ggml.fim_rep_token_id", &fim_rep_},
        {"tokenizer.ggml.fim_sep_token_id", &fim_sep_}, {"tokenizer.ggml.prefix_token_id", &fim_pre_},
        {"tokenizer.ggml.suffix_token_id", &fim_suf_},  {"tokenizer.ggml.middle_token_id", &fim_mid_},
    };
    for (const IdKey &k : keys) {
        if (*k.id >= size()) *k.id = -1;  // a default beyond the vocabulary means "none"
        const GgufValue *value = file.find(k.key);
        if (value == nullptr) continue;
        if (!value->is_integer()) {
            fail(LM_ERR_BAD_FORMAT, "'" + file.name() + "': " + k.key + " must be an integer");
        }
        // Like llama.cpp, an id outside the vocabulary is ignored and the default kept.
        if (value->i >= 0 && value->i < size()) *k.id = lm_token(value->i);
    }

    add_bos_ = file.get_bool_or("tokenizer.ggml.add_bos_token", add_bos_);
    add_space_prefix_ = file.get_bool_or("tokenizer.ggml.add_space_prefix", add_space_prefix_);
    if (add_bos_ && bos_ < 0) {
        fail(LM_ERR_BAD_FORMAT,
             "'" + file.name() + "': tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
    }
}

void Vocabulary::detect_special_tokens_by_text() {
    // Files converted without these ids still name the tokens; llama.cpp finds them by text and
    // makes them CONTROL. Candidates are tried in list order, so the choice is deterministic.
    auto detect = [&](lm_token &id, std::initializer_list<const char *> texts) {
        if (id >= 0) return;
        for (const char *t : texts) {
            const lm_token found = find(t);
            if (found >= 0) {
                id = found;
                attrs_[found] |= kAttrControl;
                return;
            }
        }
    };
    detect(eot_, {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
                  "<EOT>", "_<EOT>", "[EOT]", "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>",
                  "<end_of_utterance>"});
    detect(eom_, {"<|eom_id|>"});
    detect(fim_pre_, {"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "begin\xEF\xBD\x9C>",
                      "<PRE>", "\xE2\x96\x81<PRE>", "<|code_prefix|>", "<|prefix|>"});
    detect(fim_suf_, {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81hole\xEF\xBD\x9C>",
                      "<SUF>", "\xE2\x96\x81<SUF>", "<|code_suffix|>", "<|suffix|>"});
    detect(fim_mid_, {"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<\xEF\xBD\x9C" "fim\xE2\x96\x81" "end\xEF\xBD\x9C>",
                      "<MID>", "\xE2\x96\x81<MID>", "<|code_middle|>", "<|middle|>"});
    detect(fim_pad_, {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"});
    detect(fim_rep_, {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"});
    detect(fim_sep_, {"<|file_sep|>"});
}

void Vocabulary::collect_eog_tokens() {
    for (lm_token id : {fim_pad_, fim_rep_, fim_sep_}) {
        if (id >= 0) eog_.insert(id);
    }
    static const char *const kEogTexts[] = {
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
        "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
        "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
        "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>", "[e~[",
    };
    for (const char *t : kEogTexts) {
        const lm_token id = find(t);
        if (id >= 0) {
            eog_.insert(id);
            attrs_[id] |= kAttrControl;
        }
    }
    // gpt-oss: these are rendered like ordinary text (llama.cpp makes them USER_DEFINED).
    for (const char *t : {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"}) {
        const lm_token id = find(t);
        if (id >= 0) attrs_[id] = kAttrUserDefined;
    }
    for (lm_token id : {eos_, eot_, eom_}) {
        if (id >= 0) eog_.insert(id);
    }
    // o200k_harmony / solar-open: "<|end|>" ends a message, not the generation.
    const bool has_return = find("<|return|>") >= 0 && eog_.count(find("<|return|>"));
    const bool has_call = (find("<|call|>") >= 0 && eog_.count(find("<|call|>"))) ||
                          (find("<|calls|>") >= 0 && eog_.count(find("<|calls|>")));
    const bool has_flush = find("<|flush|>") >= 0 && eog_.count(find("<|flush|>"));
    const lm_token end_id = find("<|end|>");
    if (end_id >= 0 && eog_.count(end_id) && ((has_return && has_call) || (has_call && has_flush))) {
        eog_.erase(end_id);
        attrs_[end_id] = kAttrUserDefined;
    }
    // gemma4 / paddleocr: "</s>" is not an end of generation there.
    const lm_token tool_response = find("<|tool_response>");
    const lm_token s_id = find("</s>");
    if (tool_response >= 0 && eog_.count(tool_response) && s_id >= 0 && eog_.count(s_id)) {
        eog_.erase(s_id);
        attrs_[s_id] = kAttrNormal;
    }
}

}  // namespace lamina
