#include "convert/quantize_model.h"

#include <cstdlib>
#include <string_view>

#include "common/error.h"
#include "common/output_guard.h"
#include "convert/tensor_converter.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "quant/quantize.h"

namespace lamina {
namespace {

// "blk.12.attn_v.weight" → 12; -1 outside the blocks.
int32_t layer_of(std::string_view name) {
    if (name.substr(0, 4) != "blk.") return -1;
    return static_cast<int32_t>(std::strtol(std::string(name.substr(4)).c_str(), nullptr, 10));
}

}  // namespace

void quantize_model(const std::string &in_path, const std::string &out_path, const FileType &ft, int n_threads,
                    const ProgressFn &progress) {
    refuse_output_aliasing(out_path, {in_path});  // before the long work, not only when writing
    auto in = GgufFile::open(in_path);
    const std::string arch(in->get_string("general.architecture"));
    const int32_t n_layer = static_cast<int32_t>(in->get_int_or(arch + ".block_count", 0));

    GgufWriter w;
    w.copy_metadata(*in, {"general.file_type", "general.quantization_version", "general.alignment"});
    w.set_u32("general.file_type", static_cast<uint32_t>(ft.id));
    w.set_u32("general.quantization_version", 2);

    std::vector<GgmlType> targets;
    int64_t total = 0;
    for (const GgufTensorInfo &t : in->tensors()) {
        const GgmlType target = tensor_type_for(ft, t.name, t.ne[0], t.n_dims, layer_of(t.name), n_layer);
        if (target != t.type && !quant::can_quantize(t.type)) {
            const TypeGeometry g = type_geometry(static_cast<uint32_t>(t.type));
            fail(LM_ERR_UNSUPPORTED, "quantize: tensor '" + std::string(t.name) + "' of '" + in_path + "' has type " +
                                         g.name + ", which cannot be converted");
        }
        const int64_t rows = t.n_elements() / t.ne[0];
        const size_t bytes = target == t.type ? t.n_bytes : quant::row_bytes(target, t.ne[0]) * static_cast<size_t>(rows);
        w.add_tensor_info(t.name, target, std::vector<int64_t>(t.ne, t.ne + t.n_dims), bytes);
        targets.push_back(target);
        total += static_cast<int64_t>(t.n_elements());
    }

    ThreadPool pool(n_threads);
    int64_t done = 0;
    w.write_streaming(out_path, [&](size_t i, std::vector<uint8_t> &bytes) {
        const GgufTensorInfo &t = in->tensors()[i];
        if (targets[i] == t.type) {
            bytes.assign(t.data, t.data + t.n_bytes);
        } else {
            const int64_t n_per_row = t.ne[0];
            const size_t src_row_bytes = quant::row_bytes(t.type, n_per_row);
            convert_rows(targets[i], t.n_elements() / n_per_row, n_per_row,
                         [&](int64_t r0, int64_t r1, float *out) {
                             quant::dequantize_row(t.type, t.data + static_cast<size_t>(r0) * src_row_bytes, out,
                                                   (r1 - r0) * n_per_row);
                         },
                         pool, bytes);
        }
        done += static_cast<int64_t>(t.n_elements());
        if (progress && !progress(done, total)) fail(LM_ERR_CANCELLED, "quantize: cancelled");
    }, {in_path});
}

}  // namespace lamina
