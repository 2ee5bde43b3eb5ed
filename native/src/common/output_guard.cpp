#include "common/output_guard.h"

#include "common/error.h"
#include "common/os.h"

namespace lamina {

void refuse_output_aliasing(const std::string &output, const std::vector<std::string> &inputs) {
    for (const std::string &input : inputs) {
        if (os::same_file(input, output)) {
            fail(LM_ERR_INVALID_ARGUMENT, "refusing to write '" + output + "': it is the input file '" + input +
                                              "'" + (output == input ? "" : " (through a link)") +
                                              "; choose another output path");
        }
    }
}

}  // namespace lamina
