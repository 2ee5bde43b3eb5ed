#include "common/mapped_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

namespace lamina {

MappedFile::MappedFile(const std::string &path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail(LM_ERR_IO, "cannot open '" + path + "': " + std::strerror(errno));
    }
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        fail(LM_ERR_IO, "cannot stat '" + path + "': " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(LM_ERR_IO, "'" + path + "' is not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ == 0) {
        ::close(fd);
        fail(LM_ERR_BAD_FORMAT, "'" + path + "' is empty (0 bytes), not a GGUF file");
    }
    void *p = mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
    int err = errno;
    ::close(fd);  // the mapping keeps the file referenced
    if (p == MAP_FAILED) {
        fail(LM_ERR_IO, "cannot map '" + path + "': " + std::strerror(err));
    }
    data_ = static_cast<const uint8_t *>(p);
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) munmap(const_cast<uint8_t *>(data_), size_);
}

}  // namespace lamina
