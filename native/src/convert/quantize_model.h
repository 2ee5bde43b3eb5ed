// Rewrites a GGUF model with its matrices in another file type (`lamina quantize`).
#pragma once

#include <string>

#include "convert/file_types.h"
#include "convert/progress.h"

namespace lamina {

// Reads `in_path` (any type Lamina can dequantize), writes `out_path` with every tensor in the
// type tensor_type_for() gives. Metadata is copied; general.file_type is set. Throws LaminaError;
// a cancelled progress callback throws LM_ERR_CANCELLED and leaves no output file.
void quantize_model(const std::string &in_path, const std::string &out_path, const FileType &file_type, int n_threads,
                    const ProgressFn &progress);

}  // namespace lamina
