#include "common/mapped_file.h"

#include <cerrno>
#include <cstring>
#include <sys/mman.h>

#include "common/error.h"
#include "common/regular_file.h"

namespace lamina {

MappedFile::MappedFile(const std::string &path) {
    const RegularFile file(path);
    size_ = static_cast<size_t>(file.size());
    if (size_ == 0) fail(LM_ERR_BAD_FORMAT, "'" + path + "' is empty (0 bytes), not a GGUF file");
    // The mapping keeps the file referenced after the descriptor closes.
    void *p = mmap(nullptr, size_, PROT_READ, MAP_SHARED, file.fd(), 0);
    if (p == MAP_FAILED) fail(LM_ERR_IO, "cannot map '" + path + "': " + std::strerror(errno));
    data_ = static_cast<const uint8_t *>(p);
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) munmap(const_cast<uint8_t *>(data_), size_);
}

}  // namespace lamina
