#include "common/mapped_file.h"

#include "common/error.h"
#include "common/os.h"
#include "common/regular_file.h"

namespace lamina {

MappedFile::MappedFile(const std::string &path) {
    const RegularFile file(path);
    size_ = static_cast<size_t>(file.size());
    if (size_ == 0) fail(LM_ERR_BAD_FORMAT, "'" + path + "' is empty (0 bytes), not a GGUF file");
    // The mapping keeps the file referenced after the descriptor closes.
    std::string error;
    data_ = os::map_file(file, size_, error);
    if (data_ == nullptr) fail(LM_ERR_IO, "cannot map '" + path + "': " + error);
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) os::unmap_file(data_, size_);
}

}  // namespace lamina
