#include "tokenizer/spm_tokenizer.h"

#include <algorithm>

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

uint64_t pair_key(uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; }

}  // namespace

struct SpmTokenizer::Scratch {
    std::vector<Symbol> symbols;
    std::vector<Bigram> heap;  // a binary heap by BigramOrder (std::priority_queue's layout)
    std::string escaped;
};

SpmTokenizer::SpmTokenizer(Vocabulary vocab) : VocabTokenizer(std::move(vocab)) {
    for (lm_token id = 0; id < vocab_.size(); ++id) {
        const std::vector<uint32_t> cps = decode_utf8_lenient(vocab_.text(id));
        for (size_t i = 1; i < cps.size(); ++i) joinable_pairs_.insert(pair_key(cps[i - 1], cps[i]));
    }
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
    Scratch scratch;
    std::string &escaped = scratch.escaped;
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
        encode_escaped(escaped, scratch, out);
        after_special = false;
    }
}

void SpmTokenizer::encode_escaped(std::string_view text, Scratch &scratch, std::vector<lm_token> &out) const {
    // One symbol per character; runs between characters no token joins are merged separately.
    std::vector<Symbol> &symbols = scratch.symbols;
    symbols.clear();
    int run_begin = 0;
    uint32_t prev_cp = 0;
    for (size_t offset = 0; offset < text.size();) {
        const size_t len = std::min(utf8_sequence_length(uint8_t(text[offset])), text.size() - offset);
        const uint32_t cp = decode_utf8_sequence(text.data() + offset, len);
        const int index = int(symbols.size());
        if (index > run_begin && joinable_pairs_.count(pair_key(prev_cp, cp)) == 0) {
            merge_run(text, run_begin, index, scratch, out);
            run_begin = index;
        }
        symbols.push_back({index - 1, index + 1, offset, len});
        prev_cp = cp;
        offset += len;
    }
    if (int(symbols.size()) > run_begin) merge_run(text, run_begin, int(symbols.size()), scratch, out);
}

void SpmTokenizer::merge_run(std::string_view text, int begin, int end, Scratch &scratch,
                             std::vector<lm_token> &out) const {
    std::vector<Symbol> &symbols = scratch.symbols;
    symbols[begin].prev = -1;
    symbols[end - 1].next = -1;

    std::vector<Bigram> &heap = scratch.heap;
    heap.clear();
    auto try_add = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const size_t length = symbols[left].length + symbols[right].length;
        const lm_token id = vocab_.find(text.substr(symbols[left].offset, length));
        if (id < 0) return;
        heap.push_back({left, right, vocab_.score(id), length});
        std::push_heap(heap.begin(), heap.end(), BigramOrder());
    };
    for (int i = begin + 1; i < end; ++i) try_add(i - 1, i);

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), BigramOrder());
        const Bigram bigram = heap.back();
        heap.pop_back();
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

    for (int i = begin; i != -1; i = symbols[i].next) {
        emit_symbol(text.substr(symbols[i].offset, symbols[i].length), out);
    }
}

void SpmTokenizer::emit_symbol(std::string_view piece, std::vector<lm_token> &out) const {
    // Every merged symbol is a token; a single character that is not one goes out byte by byte.
    const lm_token id = vocab_.find(piece);
    if (id >= 0) {
        out.push_back(id);
        return;
    }
    for (char c : piece) {
        const lm_token byte_id = byte_tokens_[uint8_t(c)];
        if (byte_id < 0) {
            static const char hex[] = "0123456789ABCDEF";
            fail(LM_ERR_UNSUPPORTED, std::string("the vocabulary has no byte token <0x") + hex[uint8_t(c) >> 4] +
                                         hex[uint8_t(c) & 15] + "> for a character it lacks");
        }
        out.push_back(byte_id);
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
