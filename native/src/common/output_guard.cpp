#include "common/output_guard.h"

#include <sys/stat.h>

#include "common/error.h"

namespace lamina {

void refuse_output_aliasing(const std::string &output, const std::vector<std::string> &inputs) {
    struct stat out {};
    if (::stat(output.c_str(), &out) != 0) return;
    for (const std::string &input : inputs) {
        struct stat in {};
        if (::stat(input.c_str(), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
            fail(LM_ERR_INVALID_ARGUMENT, "refusing to write '" + output + "': it is the input file '" + input +
                                              "'" + (output == input ? "" : " (through a link)") +
                                              "; choose another output path");
        }
    }
}

}  // namespace lamina
