// RegularFile (common/regular_file.h) on Windows: a CRT descriptor opened through the UTF-16
// path, refused unless the path names a regular file.
#include "common/regular_file.h"

#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "common/windows_text.h"

namespace lamina {

RegularFile::RegularFile(const std::string &path) {
    const std::wstring wide = os::utf8_to_wide(path);
    struct _stat64 st {};
    if (_wstat64(wide.c_str(), &st) != 0) fail(LM_ERR_IO, "cannot open '" + path + "': " + std::strerror(errno));
    if ((st.st_mode & _S_IFMT) == _S_IFDIR) fail(LM_ERR_IO, "'" + path + "' is a directory, not a regular file");
    if ((st.st_mode & _S_IFMT) != _S_IFREG) fail(LM_ERR_IO, "'" + path + "' is not a regular file");
    fd_ = _wopen(wide.c_str(), _O_RDONLY | _O_BINARY | _O_NOINHERIT);
    if (fd_ < 0) fail(LM_ERR_IO, "cannot open '" + path + "': " + std::strerror(errno));
    if (_fstat64(fd_, &st) != 0 || (st.st_mode & _S_IFMT) != _S_IFREG) {
        _close(fd_);
        fail(LM_ERR_IO, "'" + path + "' is not a regular file");
    }
    size_ = static_cast<uint64_t>(st.st_size);
}

RegularFile::~RegularFile() { _close(fd_); }

}  // namespace lamina
