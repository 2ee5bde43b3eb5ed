// Page-aligned private memory from the OS (not the C++ heap), released on destruction: room for
// weights the loader repacks. Deliberately not madvise(MADV_HUGEPAGE): on VMs that hand freed
// memory back to their host, faulting in huge pages made a 1.1B model's load 2-3x slower
// (600-900 ms instead of 220-300), and decode speed did not depend on it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lamina {

class AnonymousMemory {
public:
    AnonymousMemory() = default;
    // Throws LaminaError(LM_ERR_OUT_OF_MEMORY) naming `what` when the OS refuses.
    AnonymousMemory(size_t size, const char *what);
    ~AnonymousMemory();
    AnonymousMemory(AnonymousMemory &&other) noexcept;
    AnonymousMemory &operator=(AnonymousMemory &&other) noexcept;
    AnonymousMemory(const AnonymousMemory &) = delete;
    AnonymousMemory &operator=(const AnonymousMemory &) = delete;

    uint8_t *data() const { return data_; }
    size_t size() const { return size_; }

private:
    uint8_t *data_ = nullptr;
    size_t size_ = 0;
};

// Drops the whole pages inside [p, p + n) of a read-only file mapping from this process's
// memory; they are read from the file again if touched. Used once weights were repacked.
void release_file_pages(const uint8_t *p, size_t n);

}  // namespace lamina
