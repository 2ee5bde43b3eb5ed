#include "convert/file_types.h"

#include <cctype>

namespace lamina {
namespace {

constexpr FileType kFileTypes[] = {
    {"F32", 0, GgmlType::F32},     {"F16", 1, GgmlType::F16},       {"BF16", 32, GgmlType::BF16},
    {"Q4_0", 2, GgmlType::Q4_0},   {"Q4_1", 3, GgmlType::Q4_1},     {"Q5_0", 8, GgmlType::Q5_0},
    {"Q5_1", 9, GgmlType::Q5_1},   {"Q8_0", 7, GgmlType::Q8_0},     {"Q2_K", 10, GgmlType::Q2_K},
    {"Q3_K_M", 12, GgmlType::Q3_K}, {"Q4_K_S", 14, GgmlType::Q4_K}, {"Q4_K_M", 15, GgmlType::Q4_K},
    {"Q5_K_S", 16, GgmlType::Q5_K}, {"Q5_K_M", 17, GgmlType::Q5_K}, {"Q6_K", 18, GgmlType::Q6_K},
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_k_type(GgmlType t) {
    return t == GgmlType::Q2_K || t == GgmlType::Q3_K || t == GgmlType::Q4_K || t == GgmlType::Q5_K ||
           t == GgmlType::Q6_K;
}

// llama.cpp's rule for which layers of a "_M" mix get more bits: the first and last eighth and
// every third layer between.
bool use_more_bits(int32_t layer, int32_t n_layer) {
    return layer < n_layer / 8 || layer >= 7 * n_layer / 8 || (layer - n_layer / 8) % 3 == 2;
}

// A K type needs rows of 256; the nearest 32-element format stands in otherwise.
GgmlType fit_row(GgmlType t, int64_t ne0) {
    if (!is_k_type(t) || ne0 % 256 == 0) return t;
    switch (t) {
        case GgmlType::Q2_K: case GgmlType::Q3_K: return GgmlType::Q4_0;
        case GgmlType::Q4_K: return GgmlType::Q5_0;
        case GgmlType::Q5_K: return GgmlType::Q5_1;
        default: return GgmlType::Q8_0;
    }
}

}  // namespace

const FileType *find_file_type(std::string_view name) {
    for (const FileType &ft : kFileTypes) {
        std::string_view n = ft.name;
        if (n.size() != name.size()) continue;
        bool same = true;
        for (size_t i = 0; i < n.size() && same; ++i) {
            same = std::toupper(static_cast<unsigned char>(name[i])) == n[i];
        }
        if (same) return &ft;
    }
    return nullptr;
}

std::string file_type_names() {
    std::string s;
    for (const FileType &ft : kFileTypes) s += (s.empty() ? "" : ", ") + std::string(ft.name);
    return s;
}

GgmlType tensor_type_for(const FileType &ft, std::string_view name, int64_t ne0, uint32_t n_dims, int32_t layer,
                         int32_t n_layer) {
    // Vectors (norms, biases) and small tables stay F32, as llama.cpp keeps them.
    // The experts' router stays F32 too: its logits choose experts, a rounding flip changes the path.
    if (n_dims < 2 || ends_with(name, ".bias") || name == "rope_freqs.weight" || ends_with(name, "_norm.weight") ||
        ends_with(name, "ffn_gate_inp.weight")) {
        return GgmlType::F32;
    }
    const std::string_view n = ft.name;
    const bool quantized = ft.base != GgmlType::F32 && ft.base != GgmlType::F16 && ft.base != GgmlType::BF16;
    GgmlType t = ft.base;
    if (quantized && name == "output.weight") {
        t = ft.base == GgmlType::Q8_0 ? GgmlType::Q8_0 : GgmlType::Q6_K;
    } else if (quantized && (ends_with(name, "attn_v.weight") || ends_with(name, "ffn_down.weight") ||
                          ends_with(name, "ffn_down_exps.weight"))) {
        if (n == "Q4_K_M") t = use_more_bits(layer, n_layer) ? GgmlType::Q6_K : GgmlType::Q4_K;
        else if (n == "Q5_K_M") t = use_more_bits(layer, n_layer) ? GgmlType::Q6_K : GgmlType::Q5_K;
        else if (n == "Q3_K_M") t = GgmlType::Q4_K;
        else if (n == "Q2_K") t = GgmlType::Q3_K;
    } else if (quantized && n == "Q3_K_M" && ends_with(name, "attn_output.weight")) {
        t = GgmlType::Q4_K;
    }
    t = fit_row(t, ne0);
    const TypeGeometry g = type_geometry(static_cast<uint32_t>(t));
    if (ne0 % g.block_size != 0) t = GgmlType::F16;  // rows no block format can hold
    return t;
}

}  // namespace lamina
