// The operating-system services the core needs, one implementation per OS: os_posix.cpp (Linux,
// macOS) and os_windows.cpp, chosen by cmake/LaminaPlatform.cmake. Paths are UTF-8 everywhere.
// Functions report failure through their result and an `error` text (the OS's message), so
// callers keep composing the messages that name the file and what was being done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace lamina {
class RegularFile;
}

namespace lamina::os {

// size bytes of zeroed, page-aligned read-write memory, or nullptr.
void *map_anonymous(size_t size, std::string &error);
void unmap_anonymous(void *p, size_t size);

// A read-only view of the first `size` bytes of an open file, or nullptr. The view keeps the
// file referenced after the RegularFile closes.
const uint8_t *map_file(const RegularFile &file, size_t size, std::string &error);
void unmap_file(const uint8_t *p, size_t size);

// Drops the whole pages inside [p, p + n) of a read-only file view from this process's memory
// (they are read from the file again if touched). Best effort: a no-op where the OS has no
// such call for file views.
void release_file_pages(const uint8_t *p, size_t n);

// Installed physical memory in bytes, 0 when the OS does not say.
uint64_t physical_memory();

// True when both paths exist and name the same file (through links, different spellings).
bool same_file(const std::string &a, const std::string &b);

// A new, uniquely named file in the directory of `path` (never an existing file), open for
// binary writing, with the permissions a plain create would give; its name goes to `tmp`.
std::FILE *create_temp_beside(const std::string &path, std::string &tmp, std::string &error);

// Renames `from` to `to`, replacing `to` if it exists.
bool replace_file(const std::string &from, const std::string &to, std::string &error);

}  // namespace lamina::os
