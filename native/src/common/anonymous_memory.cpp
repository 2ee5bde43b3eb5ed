#include "common/anonymous_memory.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <utility>

#include "common/error.h"

namespace lamina {

AnonymousMemory::AnonymousMemory(size_t size, const char *what) : size_(size) {
    if (size == 0) return;
    void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        const int err = errno;
        size_ = 0;
        fail(LM_ERR_OUT_OF_MEMORY, std::string("cannot allocate ") + std::to_string(size >> 20) + " MiB for " + what +
                                       ": " + std::strerror(err));
    }
    data_ = static_cast<uint8_t *>(p);
}

AnonymousMemory::~AnonymousMemory() {
    if (data_ != nullptr) munmap(data_, size_);
}

AnonymousMemory::AnonymousMemory(AnonymousMemory &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

AnonymousMemory &AnonymousMemory::operator=(AnonymousMemory &&other) noexcept {
    if (this != &other) {
        if (data_ != nullptr) munmap(data_, size_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

void release_file_pages(const uint8_t *p, size_t n) {
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
    const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n) / page * page;
    if (end > begin) madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace lamina
