// Binds a file's tensors to an architecture's roles by name, checking shape and that the
// backend can compute with the type, and keeps account of what the file holds: a tensor the
// architecture never asks for is one whose computation would be silently skipped (biases of a
// relabelled file, layers beyond block_count), so problems() lists every such tensor, as it
// lists the required ones that are missing, for the loader to refuse the file.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "gguf/gguf_file.h"
#include "model/weight.h"

namespace lamina {

enum class Use { Matrix, Vector };

class WeightBinder {
public:
    WeightBinder(const GgufFile &file, const backend::Backend &backend)
        : file_(file), backend_(backend), used_(file.tensors().size(), false) {}

    // Shapes list ne[0], ne[1], ... as GGUF does: a matrix of `rows` outputs over `cols` inputs
    // is {cols, rows}.
    Weight bind(const std::string &name, std::initializer_list<int64_t> shape, Use use, bool required = true);
    Weight matrix(const std::string &name, std::initializer_list<int64_t> shape) { return bind(name, shape, Use::Matrix); }
    Weight vector(const std::string &name, int64_t n) { return bind(name, {n}, Use::Vector); }
    Weight optional_matrix(const std::string &name, std::initializer_list<int64_t> shape) {
        return bind(name, shape, Use::Matrix, false);
    }
    Weight optional_vector(const std::string &name, int64_t n) { return bind(name, {n}, Use::Vector, false); }
    // The n_slices matrices of a 3-D tensor {cols, rows, n_slices} (experts), each a view of its slice.
    std::vector<Weight> slices(const std::string &name, int64_t cols, int64_t rows, int64_t n_slices);

    const GgufFile &file() const { return file_; }
    // The problems found, "" when every required tensor was there and every tensor was used.
    std::string problems() const;

private:
    const GgufFile &file_;
    const backend::Backend &backend_;
    std::vector<bool> used_;  // by index into file_.tensors()
    std::vector<std::string> missing_;
};

}  // namespace lamina
