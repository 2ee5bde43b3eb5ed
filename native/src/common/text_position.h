// "line L, column C" of a byte offset in a text, for parse errors (1-based; columns count bytes).
#pragma once

#include <string>
#include <string_view>

namespace lamina {

inline std::string line_column(std::string_view text, size_t at) {
    int line = 1, column = 1;
    for (size_t k = 0; k < at && k < text.size(); ++k) {
        if (text[k] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace lamina
