#include "tokenizer/special_split.h"

#include "tokenizer/vocabulary.h"

namespace lamina {

std::vector<Fragment> split_special_tokens(std::string_view text, const Vocabulary &vocab, bool parse_special) {
    std::vector<Fragment> fragments;
    if (text.empty()) return fragments;
    fragments.push_back({-1, 0, text.size()});

    std::vector<Fragment> next;
    for (const lm_token id : vocab.special_tokens()) {
        if (!parse_special && (vocab.attr(id) & (kAttrControl | kAttrUnknown))) continue;
        const std::string_view special = vocab.text(id);

        // Quick check first: most special tokens occur nowhere, and then nothing is rebuilt.
        bool found = false;
        for (const Fragment &f : fragments) {
            if (f.token < 0 && text.substr(f.offset, f.length).find(special) != std::string_view::npos) {
                found = true;
                break;
            }
        }
        if (!found) continue;

        next.clear();
        for (const Fragment &f : fragments) {
            if (f.token >= 0) {
                next.push_back(f);
                continue;
            }
            const std::string_view piece = text.substr(f.offset, f.length);
            size_t start = 0;
            for (size_t match = piece.find(special); match != std::string_view::npos;
                 match = piece.find(special, start)) {
                if (match > start) next.push_back({-1, f.offset + start, match - start});
                next.push_back({id, 0, 0});
                start = match + special.size();
            }
            if (start < piece.size()) next.push_back({-1, f.offset + start, piece.size() - start});
        }
        fragments.swap(next);
    }
    return fragments;
}

}  // namespace lamina
