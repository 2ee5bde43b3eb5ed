#include "common/anonymous_memory.h"

#include <string>
#include <utility>

#include "common/error.h"
#include "common/os.h"

namespace lamina {

AnonymousMemory::AnonymousMemory(size_t size, const char *what) : size_(size) {
    if (size == 0) return;
    std::string error;
    void *p = os::map_anonymous(size, error);
    if (p == nullptr) {
        size_ = 0;
        fail(LM_ERR_OUT_OF_MEMORY, std::string("cannot allocate ") + std::to_string(size >> 20) + " MiB for " + what +
                                       ": " + error);
    }
    data_ = static_cast<uint8_t *>(p);
}

AnonymousMemory::~AnonymousMemory() {
    if (data_ != nullptr) os::unmap_anonymous(data_, size_);
}

AnonymousMemory::AnonymousMemory(AnonymousMemory &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

AnonymousMemory &AnonymousMemory::operator=(AnonymousMemory &&other) noexcept {
    if (this != &other) {
        if (data_ != nullptr) os::unmap_anonymous(data_, size_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

void release_file_pages(const uint8_t *p, size_t n) { os::release_file_pages(p, n); }

}  // namespace lamina
