// GPT-2's reversible byte <-> printable code point mapping used by byte-level BPE vocabularies:
// printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in byte order.
#pragma once

#include <cstdint>
#include <string>

namespace lamina {

// The UTF-8 text of the code point standing for `byte`.
const std::string &byte_to_unicode_utf8(uint8_t byte);

// The byte a code point stands for, or -1 if it stands for none.
int unicode_to_byte(uint32_t cp);

}  // namespace lamina
