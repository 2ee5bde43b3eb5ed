// Writing a file must never destroy one being read: truncating a file that is memory-mapped
// kills the process with SIGBUS, and renaming over it replaces the user's model.
#pragma once

#include <string>
#include <vector>

namespace lamina {

// Fails with LM_ERR_INVALID_ARGUMENT when `output` names the same file as one of `inputs`: same
// device and inode, so symbolic and hard links count too. An output that does not exist yet
// aliases nothing.
void refuse_output_aliasing(const std::string &output, const std::vector<std::string> &inputs);

}  // namespace lamina
