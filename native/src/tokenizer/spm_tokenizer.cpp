#include "tokenizer/spm_tokenizer.h"

#include <queue>

#include "common/error.h"
#include "tokenizer/utf8.h"

namespace lamina {

namespace {

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK

struct Symbol {
    int prev;
    int next;
    size_t offset;  // into the escaped text
    size_t length;  // 0 once merged into its left neighbour
};

struct Bigram {
    int left;
    int right;
    float score;
    size_t length;  // of the merged text: a stale entry no longer matches its symbols
};

// Highest score first; among equal scores the leftmost pair (llama.cpp's order, which decides
// the result whenever scores tie).
struct BigramOrder {
    bool operator()(const Bigram &a, const Bigram &b) const {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    }
};

}  // namespace

SpmTokenizer::SpmTokenizer(Vocabulary vocab) : VocabTokenizer(std::move(vocab)) {
    static const char hex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
        const char name[7] = {'<', '0', 'x', hex[b >> 4], hex[b & 15], '>', 0};
        lm_token id = vocab_.find(name);
        if (id < 0) id = vocab_.find(std::string(1, char(b)));
        byte_tokens_[b] = id;
    }
}

void SpmTokenizer::encode_fragments(std::string_view text, const std::vector<Fragment> &fragments,
                                    std::vector<lm_token> &out) const {
    // A text fragment at the start or right after a special token gets the SentencePiece dummy
    // space prefix (llama.cpp's rule), then every space becomes U+2581.
    bool after_special = true;
    std::string escaped;
    for (const Fragment &f : fragments) {
        if (f.token >= 0) {
            out.push_back(f.token);
            after_special = true;
            continue;
        }
        escaped.clear();
        if (vocab_.add_space_prefix() && after_special) escaped += kSpaceMarker;
        for (char c : text.substr(f.offset, f.length)) {
            if (c == ' ') {
                escaped += kSpaceMarker;
            } else {
                escaped += c;
            }
        }
        encode_escaped(escaped, out);
        after_special = false;
    }
}

void SpmTokenizer::encode_escaped(std::string_view text, std::vector<lm_token> &out) const {
    if (text.empty()) return;
    std::vector<Symbol> symbols;
    symbols.reserve(text.size());
    for (size_t offset = 0; offset < text.size();) {
        const size_t len = std::min(utf8_sequence_length(uint8_t(text[offset])), text.size() - offset);
        const int index = int(symbols.size());
        symbols.push_back({index - 1, offset + len == text.size() ? -1 : index + 1, offset, len});
        offset += len;
    }

    std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
    auto try_add = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const size_t length = symbols[left].length + symbols[right].length;
        const lm_token id = vocab_.find(text.substr(symbols[left].offset, length));
        if (id < 0) return;
        queue.push({left, right, vocab_.score(id), length});
    };
    for (int i = 1; i < int(symbols.size()); ++i) try_add(i - 1, i);

    while (!queue.empty()) {
        const Bigram bigram = queue.top();
        queue.pop();
        Symbol &left = symbols[bigram.left];
        Symbol &right = symbols[bigram.right];
        if (left.length == 0 || right.length == 0 || left.length + right.length != bigram.length) continue;
        left.length += right.length;
        right.length = 0;
        left.next = right.next;
        if (right.next >= 0) symbols[right.next].prev = bigram.left;
        try_add(left.prev, bigram.left);
        try_add(bigram.left, left.next);
    }

    // Every merged symbol is a token; a single character that is not one goes out byte by byte.
    for (int i = 0; i != -1; i = symbols[i].next) {
        const Symbol &s = symbols[i];
        const std::string_view piece = text.substr(s.offset, s.length);
        const lm_token id = vocab_.find(piece);
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        for (char c : piece) {
            const lm_token byte_id = byte_tokens_[uint8_t(c)];
            if (byte_id < 0) {
                fail(LM_ERR_UNSUPPORTED, "the vocabulary has no byte token <0x" +
                                             std::string(1, "0123456789ABCDEF"[uint8_t(c) >> 4]) +
                                             std::string(1, "0123456789ABCDEF"[uint8_t(c) & 15]) +
                                             "> to encode a character it lacks");
            }
            out.push_back(byte_id);
        }
    }
}

std::string SpmTokenizer::normal_piece(lm_token id) const {
    const std::string_view t = vocab_.text(id);
    std::string result;
    result.reserve(t.size());
    for (size_t i = 0; i < t.size();) {
        if (t.compare(i, kSpaceMarker.size(), kSpaceMarker) == 0) {
            result += ' ';
            i += kSpaceMarker.size();
        } else {
            result += t[i++];
        }
    }
    return result;
}

}  // namespace lamina
