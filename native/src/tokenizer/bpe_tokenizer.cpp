#include "tokenizer/bpe_tokenizer.h"

#include <algorithm>

#include "common/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/utf8.h"

namespace lamina {

namespace {

constexpr const char *kMergesKey = "tokenizer.ggml.merges";

uint64_t pair_key(int32_t left, int32_t right) { return (uint64_t(uint32_t(left)) << 32) | uint32_t(right); }

struct Symbol {
    int prev;
    int next;
    size_t offset;  // into the encoded word
    size_t length;  // 0 once merged into its left neighbour
    int32_t id;     // symbol_id() of its text
};

struct Bigram {
    int left;
    int right;
    int32_t rank;
    int32_t result;  // symbol id of the merged text
    size_t length;   // of the merged text: a stale entry no longer matches its symbols
};

// Lowest rank first; among equal ranks the leftmost pair.
struct BigramOrder {
    bool operator()(const Bigram &a, const Bigram &b) const {
        return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
    }
};

}  // namespace

struct BpeTokenizer::Scratch {
    std::vector<uint32_t> cps;
    std::vector<size_t> words;
    std::string encoded;
    std::vector<Symbol> symbols;
    std::vector<Bigram> heap;  // a binary heap by BigramOrder (std::priority_queue's layout)
};

BpeTokenizer::BpeTokenizer(const GgufFile &file, Vocabulary vocab, const PreTokenizer &pre)
    : VocabTokenizer(std::move(vocab)), pre_(pre) {
    const GgufValue &merges = file.get_array(kMergesKey);
    if (merges.elem_type != GgufValueType::STRING) {
        fail(LM_ERR_BAD_FORMAT, "'" + file.name() + "': " + kMergesKey + " must be an array of strings");
    }
    if (merges.count > uint64_t(INT32_MAX)) {
        fail(LM_ERR_BAD_FORMAT, "'" + file.name() + "': " + kMergesKey + " has too many entries");
    }
    auto intern = [&](std::string_view text) -> int32_t {
        const lm_token id = vocab_.find(text);
        if (id >= 0) return id;
        const auto it = extra_symbol_ids_.find(text);
        if (it != extra_symbol_ids_.end()) return it->second;
        extra_symbols_.emplace_back(text);
        const int32_t new_id = vocab_.size() + int32_t(extra_symbol_ids_.size());
        extra_symbol_ids_.emplace(extra_symbols_.back(), new_id);
        return new_id;
    };
    merges_.reserve(size_t(merges.count));
    std::vector<std::pair<uint64_t, std::string>> merged_texts;
    merged_texts.reserve(size_t(merges.count));
    for (uint64_t i = 0; i < merges.count; ++i) {
        // "left right"; the separator is the first space after the first character.
        const std::string_view merge = merges.strings[i];
        const size_t space = merge.size() > 1 ? merge.find(' ', 1) : std::string_view::npos;
        if (space == std::string_view::npos) continue;  // can match no pair of symbols
        const std::string_view left = merge.substr(0, space);
        const std::string_view right = merge.substr(space + 1);
        if (right.empty()) continue;
        const uint64_t key = pair_key(intern(left), intern(right));
        if (merges_.emplace(key, MergeRule{int32_t(i), -1}).second) {  // the first rank wins
            merged_texts.emplace_back(key, std::string(left) + std::string(right));
        }
    }
    // Once every merge half is interned, the id a merge produces is known in advance: merging
    // needs no string hashing at all.
    for (const auto &m : merged_texts) merges_[m.first].result = symbol_id(m.second);
    for (int b = 0; b < 256; ++b) single_byte_tokens_[b] = vocab_.find(std::string(1, char(b)));
}

int32_t BpeTokenizer::symbol_id(std::string_view text) const {
    const lm_token id = vocab_.find(text);
    if (id >= 0) return id;
    if (extra_symbol_ids_.empty()) return -1;
    const auto it = extra_symbol_ids_.find(text);
    return it == extra_symbol_ids_.end() ? -1 : it->second;
}

const BpeTokenizer::MergeRule *BpeTokenizer::find_merge(int32_t left, int32_t right) const {
    if (left < 0 || right < 0) return nullptr;
    const auto it = merges_.find(pair_key(left, right));
    return it == merges_.end() ? nullptr : &it->second;
}

void BpeTokenizer::encode_fragments(std::string_view text, const std::vector<Fragment> &fragments,
                                    std::vector<lm_token> &out) const {
    Scratch scratch;
    for (const Fragment &f : fragments) {
        if (f.token >= 0) {
            out.push_back(f.token);
            continue;
        }
        const std::string_view fragment = text.substr(f.offset, f.length);
        decode_utf8(fragment, scratch.cps);
        scratch.words.clear();
        pre_.split(scratch.cps, scratch.words);

        size_t cp_index = 0;
        size_t byte_offset = 0;
        for (size_t n_cps : scratch.words) {
            size_t n_bytes = 0;
            for (size_t k = 0; k < n_cps; ++k) {
                const uint32_t cp = scratch.cps[cp_index++];
                n_bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            }
            encode_word(fragment.substr(byte_offset, n_bytes), scratch, out);
            byte_offset += n_bytes;
        }
    }
}

void BpeTokenizer::encode_word(std::string_view word, Scratch &scratch, std::vector<lm_token> &out) const {
    std::string &encoded = scratch.encoded;
    encoded.clear();
    for (char c : word) encoded += byte_to_unicode_utf8(uint8_t(c));

    if (pre_.ignore_merges()) {
        const lm_token whole = vocab_.find(encoded);
        if (whole >= 0) {
            out.push_back(whole);
            return;
        }
    }

    std::vector<Symbol> &symbols = scratch.symbols;
    symbols.clear();
    for (size_t offset = 0; offset < encoded.size();) {
        const size_t len = std::min(utf8_sequence_length(uint8_t(encoded[offset])), encoded.size() - offset);
        const int index = int(symbols.size());
        symbols.push_back({index - 1, offset + len == encoded.size() ? -1 : index + 1, offset, len,
                           symbol_id(std::string_view(encoded).substr(offset, len))});
        offset += len;
    }

    std::vector<Bigram> &heap = scratch.heap;
    heap.clear();
    auto try_add = [&](int left, int right) {
        if (left < 0 || right < 0) return;
        const MergeRule *rule = find_merge(symbols[left].id, symbols[right].id);
        if (rule == nullptr) return;
        heap.push_back({left, right, rule->rank, rule->result, symbols[left].length + symbols[right].length});
        std::push_heap(heap.begin(), heap.end(), BigramOrder());
    };
    for (int i = 1; i < int(symbols.size()); ++i) try_add(i - 1, i);

    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), BigramOrder());
        const Bigram bigram = heap.back();
        heap.pop_back();
        Symbol &left = symbols[bigram.left];
        Symbol &right = symbols[bigram.right];
        if (left.length == 0 || right.length == 0 || left.length + right.length != bigram.length) continue;
        left.length += right.length;
        left.id = bigram.result;
        right.length = 0;
        left.next = right.next;
        if (right.next >= 0) symbols[right.next].prev = bigram.left;
        try_add(left.prev, bigram.left);
        try_add(bigram.left, left.next);
    }

    for (int i = symbols.empty() ? -1 : 0; i != -1; i = symbols[i].next) {
        const Symbol &s = symbols[i];
        const std::string_view piece = std::string_view(encoded).substr(s.offset, s.length);
        const lm_token id = s.id >= 0 && s.id < vocab_.size() ? s.id : -1;
        if (id >= 0) {
            out.push_back(id);
            continue;
        }
        // llama.cpp's fallback: each byte of the mapped text as a one-byte token, where one exists
        // (the mapped bytes of non-printable input have none and are dropped, as there).
        for (char c : piece) {
            const lm_token byte_id = single_byte_tokens_[uint8_t(c)];
            if (byte_id >= 0) out.push_back(byte_id);
        }
    }
}

std::string BpeTokenizer::normal_piece(lm_token id) const {
    std::string result;
    const std::string_view t = vocab_.text(id);
    for (uint32_t cp : decode_utf8_lenient(t)) {
        const int byte = unicode_to_byte(cp);
        if (byte >= 0) {
            result += char(byte);
            continue;
        }
        // As llama.cpp renders a code point that stands for no byte.
        static const char hex[] = "0123456789abcdef";
        std::string utf8;
        append_utf8(utf8, cp);
        result += "[UNK_BYTE_0x";
        for (char c : utf8) {
            result += hex[uint8_t(c) >> 4];
            result += hex[uint8_t(c) & 15];
        }
        result += t;
        result += "]";
    }
    return result;
}

}  // namespace lamina
