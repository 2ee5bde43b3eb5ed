// libFuzzer entry point: GGUF parsing, model binding (vocab-only and full), tokenizer and a
// tiny forward pass on whatever the fuzzer produces. See fuzz_target.h for the input layout.
// This is the byte mode; fuzz_structure.cpp is the structure-aware one, which edits the shared
// models' metadata and tensor infos. Built by scripts/fuzz.sh (CMake preset "fuzz").
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lamina::fuzz::run_one_input(data, size);
    return 0;
}
