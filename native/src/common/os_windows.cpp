// lamina::os (common/os.h) on Windows: UTF-8 paths become UTF-16 for the wide-character APIs.
#include "common/os.h"

#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>

#include <atomic>
#include <cstring>
#include <string>

#include "common/regular_file.h"
#include "common/windows_text.h"

namespace lamina::os {

void *map_anonymous(size_t size, std::string &error) {
    void *p = VirtualAlloc(nullptr, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    if (p == nullptr) error = windows_error_text(GetLastError());
    return p;
}

void unmap_anonymous(void *p, size_t) { VirtualFree(p, 0, MEM_RELEASE); }

const uint8_t *map_file(const RegularFile &file, size_t size, std::string &error) {
    const HANDLE handle = reinterpret_cast<HANDLE>(_get_osfhandle(file.fd()));
    if (handle == INVALID_HANDLE_VALUE) {
        error = "not an open file";
        return nullptr;
    }
    const uint64_t n = size;
    HANDLE mapping = CreateFileMappingW(handle, nullptr, PAGE_READONLY, static_cast<DWORD>(n >> 32),
                                        static_cast<DWORD>(n & 0xFFFFFFFFu), nullptr);
    if (mapping == nullptr) {
        error = windows_error_text(GetLastError());
        return nullptr;
    }
    void *p = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, size);
    const DWORD err = GetLastError();
    CloseHandle(mapping);  // the view keeps the mapping (and the file) alive
    if (p == nullptr) error = windows_error_text(err);
    return static_cast<const uint8_t *>(p);
}

void unmap_file(const uint8_t *p, size_t) { UnmapViewOfFile(p); }

// Windows has no call that drops pages of a read-only file view: the working-set manager
// trims them once untouched, as madvise(MADV_DONTNEED) does at once elsewhere.
void release_file_pages(const uint8_t *, size_t) {}

uint64_t physical_memory() {
    MEMORYSTATUSEX status{};
    status.dwLength = sizeof status;
    return GlobalMemoryStatusEx(&status) ? status.ullTotalPhys : 0;
}

bool same_file(const std::string &a, const std::string &b) {
    auto identity = [](const std::string &path, BY_HANDLE_FILE_INFORMATION &info) {
        HANDLE h = CreateFileW(utf8_to_wide(path).c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                               nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr);
        if (h == INVALID_HANDLE_VALUE) return false;
        const bool ok = GetFileInformationByHandle(h, &info) != 0;
        CloseHandle(h);
        return ok;
    };
    BY_HANDLE_FILE_INFORMATION ia{}, ib{};
    return identity(a, ia) && identity(b, ib) && ia.dwVolumeSerialNumber == ib.dwVolumeSerialNumber &&
           ia.nFileIndexHigh == ib.nFileIndexHigh && ia.nFileIndexLow == ib.nFileIndexLow;
}

std::FILE *create_temp_beside(const std::string &path, std::string &tmp, std::string &error) {
    static std::atomic<unsigned> counter{0};
    for (int attempt = 0; attempt < 100; ++attempt) {
        tmp = path + ".tmp-" + std::to_string(GetCurrentProcessId()) + "-" + std::to_string(counter.fetch_add(1));
        // _O_EXCL: never an existing file.
        const int fd = _wopen(utf8_to_wide(tmp).c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT,
                              _S_IREAD | _S_IWRITE);
        if (fd >= 0) {
            std::FILE *f = _fdopen(fd, "wb");
            if (f == nullptr) {
                error = std::strerror(errno);
                _close(fd);
                _wremove(utf8_to_wide(tmp).c_str());
            }
            return f;
        }
        if (errno != EEXIST) break;
    }
    error = std::strerror(errno);
    return nullptr;
}

bool replace_file(const std::string &from, const std::string &to, std::string &error) {
    if (MoveFileExW(utf8_to_wide(from).c_str(), utf8_to_wide(to).c_str(), MOVEFILE_REPLACE_EXISTING)) return true;
    error = windows_error_text(GetLastError());
    return false;
}

}  // namespace lamina::os
