#include "tokenizer/special_split.h"

#include <algorithm>
#include <cstring>

#include "tokenizer/vocabulary.h"

namespace lamina {

SpecialTokenSplitter::SpecialTokenSplitter(const Vocabulary &vocab) {
    patterns_.reserve(vocab.special_tokens().size());
    for (const lm_token id : vocab.special_tokens()) {
        Pattern p;
        p.id = id;
        p.always = (vocab.attr(id) & (kAttrControl | kAttrUnknown)) == 0;
        p.text = vocab.text(id);
        const size_t m = p.text.size();
        // Shift by the distance from the last occurrence of the window's last byte to the
        // pattern's end (capped: a smaller shift is always safe).
        p.skip.fill(uint8_t(std::min<size_t>(m, 255)));
        for (size_t i = 0; i + 1 < m; ++i) p.skip[uint8_t(p.text[i])] = uint8_t(std::min<size_t>(m - 1 - i, 255));
        patterns_.push_back(p);
    }
}

size_t SpecialTokenSplitter::Pattern::find(std::string_view haystack, size_t from) const {
    const size_t m = text.size();
    const size_t n = haystack.size();
    if (m == 0 || from > n || n - from < m) return std::string_view::npos;
    const char *h = haystack.data();
    const uint8_t last = uint8_t(text[m - 1]);
    for (size_t pos = from; pos + m <= n;) {
        const uint8_t c = uint8_t(h[pos + m - 1]);
        if (c == last && std::memcmp(h + pos, text.data(), m - 1) == 0) return pos;
        pos += skip[c];
    }
    return std::string_view::npos;
}

std::vector<Fragment> SpecialTokenSplitter::split(std::string_view text, bool parse_special) const {
    std::vector<Fragment> fragments;
    if (text.empty()) return fragments;
    fragments.push_back({-1, 0, text.size()});

    std::vector<Fragment> next;
    for (const Pattern &p : patterns_) {
        if (!parse_special && !p.always) continue;

        // Most special tokens occur nowhere; then nothing is rebuilt.
        bool found = false;
        for (const Fragment &f : fragments) {
            if (f.token < 0 && p.find(text.substr(f.offset, f.length), 0) != std::string_view::npos) {
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
            for (size_t match = p.find(piece, 0); match != std::string_view::npos; match = p.find(piece, start)) {
                if (match > start) next.push_back({-1, f.offset + start, match - start});
                next.push_back({p.id, 0, 0});
                start = match + p.text.size();
            }
            if (start < piece.size()) next.push_back({-1, f.offset + start, piece.size() - start});
        }
        fragments.swap(next);
    }
    return fragments;
}

}  // namespace lamina
