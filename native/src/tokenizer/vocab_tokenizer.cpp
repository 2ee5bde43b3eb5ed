#include "tokenizer/vocab_tokenizer.h"

#include "tokenizer/utf8.h"

namespace lamina {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

std::vector<lm_token> VocabTokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
    validate_utf8(text);
    std::vector<lm_token> out;
    out.reserve(text.size() / 3 + 2);
    if (add_bos && vocab_.bos() >= 0) out.push_back(vocab_.bos());
    encode_fragments(text, specials_.split(text, parse_special), out);
    return out;
}

std::string VocabTokenizer::piece(lm_token id, bool render_special) const {
    vocab_.check_id(id);
    const uint32_t attr = vocab_.attr(id);
    if (attr & (kAttrUnknown | kAttrControl)) {
        return render_special ? std::string(vocab_.text(id)) : std::string();
    }
    if (attr & kAttrUserDefined) return std::string(vocab_.text(id));
    if (attr & kAttrNormal) return normal_piece(id);
    if (attr & kAttrByte) {
        // "<0xXX>"
        const std::string_view t = vocab_.text(id);
        if (t.size() == 6 && t.substr(0, 3) == "<0x" && t[5] == '>') {
            const int hi = hex_value(t[3]);
            const int lo = hex_value(t[4]);
            if (hi >= 0 && lo >= 0) return std::string(1, char(hi * 16 + lo));
        }
        return std::string(t);
    }
    return std::string();  // UNUSED and UNDEFINED tokens render as nothing, as in llama.cpp
}

}  // namespace lamina
