// lamina::os (common/os.h) on Linux and macOS.
#include "common/os.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "common/regular_file.h"

namespace lamina::os {
namespace {

// mkstemp creates files 0600; the written model should get the permissions a plain create gives.
// umask() can only be read by changing it, which races with other threads, so ask /proc (022
// where there is none, as on macOS).
mode_t current_umask() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
    }
    return 022;
}

}  // namespace

void *map_anonymous(size_t size, std::string &error) {
    void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        error = std::strerror(errno);
        return nullptr;
    }
    return p;
}

void unmap_anonymous(void *p, size_t size) { munmap(p, size); }

const uint8_t *map_file(const RegularFile &file, size_t size, std::string &error) {
    void *p = mmap(nullptr, size, PROT_READ, MAP_SHARED, file.fd(), 0);
    if (p == MAP_FAILED) {
        error = std::strerror(errno);
        return nullptr;
    }
    return static_cast<const uint8_t *>(p);
}

void unmap_file(const uint8_t *p, size_t size) { munmap(const_cast<uint8_t *>(p), size); }

void release_file_pages(const uint8_t *p, size_t n) {
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
    const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + n) / page * page;
    if (end > begin) madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
}

uint64_t physical_memory() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page_size = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page_size <= 0) return 0;
    const uint64_t p = static_cast<uint64_t>(pages), s = static_cast<uint64_t>(page_size);
    return p > UINT64_MAX / s ? UINT64_MAX : p * s;
}

bool same_file(const std::string &a, const std::string &b) {
    struct stat sa {}, sb {};
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

std::FILE *create_temp_beside(const std::string &path, std::string &tmp, std::string &error) {
    // A fresh name (O_EXCL): a fixed "path.tmp" could be an existing file, even an input.
    tmp = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) {
        error = std::strerror(errno);
        return nullptr;
    }
    ::fchmod(fd, 0666 & ~current_umask());
    std::FILE *f = ::fdopen(fd, "wb");
    if (f == nullptr) {
        error = std::strerror(errno);
        ::close(fd);
        std::remove(tmp.c_str());
    }
    return f;
}

bool replace_file(const std::string &from, const std::string &to, std::string &error) {
    if (std::rename(from.c_str(), to.c_str()) == 0) return true;
    error = std::strerror(errno);
    return false;
}

}  // namespace lamina::os
