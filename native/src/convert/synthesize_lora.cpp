#include "convert/synthesize_lora.h"

#include <cmath>
#include <string_view>

#include "common/error.h"
#include "common/output_guard.h"
#include "convert/random_weight.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "quant/quantize.h"

namespace lamina {
namespace {

// Whether tensor `name` is one of `target`'s: "blk.<N>.<target>.weight" or "<target>.weight".
bool is_target(std::string_view name, std::string_view target) {
    constexpr std::string_view kWeight = ".weight";
    if (name.size() <= kWeight.size() || name.substr(name.size() - kWeight.size()) != kWeight) return false;
    name.remove_suffix(kWeight.size());
    if (name == target) return true;
    if (name.substr(0, 4) != "blk.") return false;
    const size_t dot = name.find('.', 4);
    return dot != std::string_view::npos && dot > 4 && name.substr(dot + 1) == target;
}

// One half of a pair, n_rows rows of n_per_row, in `type`.
std::vector<uint8_t> random_half(const LoraSynthesis &o, uint64_t tensor, int64_t n_per_row, int64_t n_rows,
                                 double stddev, const std::string &name) {
    std::vector<float> values(static_cast<size_t>(n_per_row * n_rows));
    for (size_t i = 0; i < values.size(); ++i) values[i] = random_weight(o.seed, tensor, i, stddev);
    const TypeGeometry geo = type_geometry(static_cast<uint32_t>(o.type));
    if (n_per_row % geo.block_size != 0) {
        fail(LM_ERR_INVALID_ARGUMENT, "synth-lora: '" + name + "' has rows of " + std::to_string(n_per_row) +
                                          " values, not a multiple of " + geo.name + "'s block of " +
                                          std::to_string(geo.block_size) + " (pick another rank or type)");
    }
    std::vector<uint8_t> bytes(quant::row_bytes(o.type, n_per_row) * static_cast<size_t>(n_rows));
    if (!quant::quantize(o.type, values.data(), bytes.data(), n_rows, n_per_row)) {
        fail(LM_ERR_INTERNAL, std::string("synth-lora: cannot write type ") + geo.name);
    }
    return bytes;
}

}  // namespace

void synthesize_lora(const std::string &base_path, const std::string &out_path, const LoraSynthesis &o) {
    if (o.type != GgmlType::F32 && o.type != GgmlType::F16 && o.type != GgmlType::Q8_0) {
        fail(LM_ERR_INVALID_ARGUMENT, "synth-lora: the adapter type must be F32, F16 or Q8_0");
    }
    if (o.rank < 1 || o.rank > 4096) {
        fail(LM_ERR_INVALID_ARGUMENT, "synth-lora: rank " + std::to_string(o.rank) + " is out of range (1..4096)");
    }
    if (!std::isfinite(o.alpha)) fail(LM_ERR_INVALID_ARGUMENT, "synth-lora: alpha must be finite");
    if (o.targets.empty()) fail(LM_ERR_INVALID_ARGUMENT, "synth-lora: no target matrices given");
    refuse_output_aliasing(out_path, {base_path});
    const auto base = GgufFile::open(base_path);
    const std::string_view arch = base->get_string("general.architecture");

    GgufWriter w;
    w.set_string("general.architecture", arch);
    w.set_string("general.type", "adapter");
    w.set_string("general.name", "random LoRA adapter (lamina synth-lora)");
    w.set_string("adapter.type", "lora");
    if (o.alpha != 0.0f) w.set_f32("adapter.lora.alpha", o.alpha);
    uint64_t n_pairs = 0;
    for (const std::string &target : o.targets) {
        bool matched = false;
        for (const GgufTensorInfo &t : base->tensors()) {
            if (t.n_dims != 2 || !is_target(t.name, target)) continue;
            matched = true;
            const std::string name(t.name);
            const int64_t n_in = t.ne[0], n_out = t.ne[1], r = o.rank;
            const auto a = random_half(o, 2 * n_pairs, n_in, r, 1.0 / std::sqrt(static_cast<double>(n_in)), name);
            const auto b = random_half(o, 2 * n_pairs + 1, r, n_out, 0.02, name);
            w.add_tensor(name + ".lora_a", o.type, {n_in, r}, a.data(), a.size());
            w.add_tensor(name + ".lora_b", o.type, {r, n_out}, b.data(), b.size());
            ++n_pairs;
        }
        if (!matched) {
            fail(LM_ERR_INVALID_ARGUMENT, "synth-lora: target '" + target + "' matches no 2-D tensor of '" +
                                              base_path + "' (as in blk.0." + target + ".weight or " + target +
                                              ".weight)");
        }
    }
    w.write(out_path);
}

}  // namespace lamina
