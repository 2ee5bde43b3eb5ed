#include "model/weight_binder.h"

#include "common/error.h"

namespace lamina {
namespace {

std::string shape_text(const int64_t *ne, size_t n) {
    std::string s = "[";
    for (size_t i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
}

// "'a', 'b', ... and 3 more": at most kListed names.
std::string name_list(const std::vector<std::string> &names) {
    constexpr size_t kListed = 10;
    std::string s;
    for (size_t i = 0; i < names.size() && i < kListed; ++i) s += (i ? ", '" : "'") + names[i] + "'";
    if (names.size() > kListed) s += " and " + std::to_string(names.size() - kListed) + " more";
    return s;
}

}  // namespace

Weight WeightBinder::bind(const std::string &name, std::initializer_list<int64_t> shape, Use use, bool required) {
    const GgufTensorInfo *t = file_.find_tensor(name);
    if (t == nullptr) {
        if (required) missing_.push_back(name);
        return {};
    }
    used_[static_cast<size_t>(t - file_.tensors().data())] = true;
    const std::vector<int64_t> want(shape);
    bool ok = t->n_dims <= want.size() || (t->n_dims == want.size() + 1 && t->ne[t->n_dims - 1] == 1);
    for (size_t d = 0; d < 4 && ok; ++d) {
        const int64_t expected = d < want.size() ? want[d] : 1;
        ok = t->ne[d] == expected;
    }
    if (!ok) {
        fail(LM_ERR_BAD_FORMAT, "'" + file_.name() + "': tensor '" + name + "' has shape " +
                                    shape_text(t->ne, t->n_dims) + ", expected " + shape_text(want.data(), want.size()));
    }
    const TypeGeometry geo = type_geometry(static_cast<uint32_t>(t->type));
    if (use == Use::Matrix && !backend_.can_compute(t->type)) {
        fail(LM_ERR_UNSUPPORTED, "'" + file_.name() + "': tensor '" + name + "' has type " + geo.name +
                                     ", which Lamina cannot compute with yet");
    }
    if (use == Use::Vector && t->type != GgmlType::F32) {
        fail(LM_ERR_UNSUPPORTED, "'" + file_.name() + "': tensor '" + name + "' has type " + geo.name +
                                     "; norm and bias vectors must be F32");
    }
    // Kernels read F32 values and the fp16 scales of blocks in place: a file whose
    // general.alignment is below that (it may legally be 1) would make them misaligned loads.
    const uintptr_t need = t->type == GgmlType::F32 || t->type == GgmlType::Q8_K ? 4 : 2;
    if (reinterpret_cast<uintptr_t>(t->data) % need != 0) {
        fail(LM_ERR_UNSUPPORTED, "'" + file_.name() + "': the data of tensor '" + name + "' (" + geo.name +
                                     ") is not aligned to " + std::to_string(need) +
                                     " bytes (general.alignment = " + std::to_string(file_.alignment()) +
                                     "); rewrite the file with the default alignment of 32");
    }
    Weight w;
    w.name = t->name.data();
    w.name_len = t->name.size();
    w.type = t->type;
    w.cols = t->ne[0];
    w.rows = t->ne[1];
    w.slices = t->ne[2];
    w.row_bytes = static_cast<size_t>(t->ne[0] / geo.block_size) * geo.type_size;
    w.data = t->data;
    return w;
}

std::vector<Weight> WeightBinder::slices(const std::string &name, int64_t cols, int64_t rows, int64_t n_slices) {
    const Weight whole = bind(name, {cols, rows, n_slices}, Use::Matrix);
    std::vector<Weight> out;
    if (!whole.present()) return out;
    out.resize(static_cast<size_t>(n_slices), whole);
    for (int64_t e = 0; e < n_slices; ++e) {
        out[e].slices = 1;
        out[e].data = whole.data + static_cast<size_t>(e) * static_cast<size_t>(rows) * whole.row_bytes;
    }
    return out;
}

std::string WeightBinder::problems() const {
    std::vector<std::string> unused;
    for (size_t i = 0; i < used_.size(); ++i) {
        if (!used_[i]) unused.emplace_back(file_.tensors()[i].name);
    }
    std::string s;
    if (!missing_.empty()) s = "required tensor '" + missing_[0] + "' is missing";
    if (missing_.size() > 1) {
        s += ", and " + std::to_string(missing_.size() - 1) + " more: " +
             name_list(std::vector<std::string>(missing_.begin() + 1, missing_.end()));
    }
    if (!unused.empty()) {
        s += (s.empty() ? "" : "; ") + std::to_string(unused.size()) + " tensor" + (unused.size() > 1 ? "s" : "") +
             " in the file " + (unused.size() > 1 ? "are" : "is") + " not used: " + name_list(unused);
    }
    return s;
}

}  // namespace lamina
