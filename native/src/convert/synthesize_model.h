// Writes a random-weight GGUF model of a real model's exact shape (`lamina synth`), with the
// vocabulary copied from another GGUF file, quantized to any file type.
#pragma once

#include <cstdint>
#include <string>

#include "convert/file_types.h"
#include "convert/model_shapes.h"
#include "convert/progress.h"

namespace lamina {

void synthesize_model(const std::string &out_path, const ModelShape &shape, const std::string &vocab_path,
                      const FileType &file_type, uint64_t seed, int n_threads, const ProgressFn &progress);

}  // namespace lamina
