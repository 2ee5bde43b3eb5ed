// Opening a file Lamina reads as a whole (a model, a vocabulary, a file to hash): only regular
// files, refused without blocking when the path names a FIFO, socket, device or directory.
#pragma once

#include <cstdint>
#include <string>

namespace lamina {

// An open read-only descriptor of a regular file and its size, closed on destruction.
class RegularFile {
public:
    // Throws LaminaError(LM_ERR_IO) naming the path and the OS error, or what the path is
    // instead of a regular file ("is a FIFO", "is a directory", ...).
    explicit RegularFile(const std::string &path);
    ~RegularFile();
    RegularFile(const RegularFile &) = delete;
    RegularFile &operator=(const RegularFile &) = delete;

    int fd() const { return fd_; }
    uint64_t size() const { return size_; }

private:
    int fd_ = -1;
    uint64_t size_ = 0;
};

}  // namespace lamina
