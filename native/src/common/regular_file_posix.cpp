#include "common/regular_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

namespace lamina {
namespace {

// nullptr for a kind without a name here.
const char *file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    return nullptr;
}

[[noreturn]] void not_regular(const std::string &path, mode_t mode) {
    const char *kind = file_kind(mode);
    fail(LM_ERR_IO, "'" + path + "' is " + (kind != nullptr ? std::string(kind) + ", " : "") + "not a regular file");
}

}  // namespace

RegularFile::RegularFile(const std::string &path) {
    // stat before open: opening a FIFO for reading blocks until a writer appears, and opening a
    // device can have effects of its own (a tape rewinds, a terminal becomes controlling).
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        fail(LM_ERR_IO, "cannot open '" + path + "': " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) not_regular(path, st.st_mode);
    // The path may be replaced between stat and open: O_NONBLOCK keeps a FIFO swapped in from
    // blocking the open, and fstat checks what was actually opened.
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd_ < 0) fail(LM_ERR_IO, "cannot open '" + path + "': " + std::strerror(errno));
    if (::fstat(fd_, &st) != 0) {
        const int err = errno;
        ::close(fd_);
        fail(LM_ERR_IO, "cannot stat '" + path + "': " + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd_);
        not_regular(path, st.st_mode);
    }
    size_ = static_cast<uint64_t>(st.st_size);
}

RegularFile::~RegularFile() { ::close(fd_); }

}  // namespace lamina
