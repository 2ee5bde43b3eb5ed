// Random weight rows for kernel tests: quantized from Gaussian values, or random bits in every
// level field with sane fp16 scales. Seeds are printed so a failure replays with
// LAMINA_TEST_SEED=<seed>.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "common/float_convert.h"
#include "quant/blocks.h"
#include "quant/ggml_type.h"
#include "quant/quantize.h"

namespace lamina::cpu {

inline uint32_t test_seed(const char *what) {
    const char *env = std::getenv("LAMINA_TEST_SEED");
    const uint32_t seed = env != nullptr ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10))
                                         : std::random_device{}();
    std::printf("%s seed %u (replay: LAMINA_TEST_SEED=%u)\n", what, seed, seed);
    return seed;
}

inline const char *name_of(GgmlType t) { return type_geometry(static_cast<uint32_t>(t)).name; }

// A random fp16 scale of moderate size (so products stay far from overflow), either sign.
inline uint16_t random_scale(std::mt19937 &rng, bool positive = false) {
    std::uniform_real_distribution<float> mag(0.001f, 0.1f);
    const float v = mag(rng);
    return fp32_to_fp16(positive || (rng() & 1) ? v : -v);
}

// Weights with every bit pattern in the level fields: random bytes, then sane fp16 scales.
inline void randomize_bits(GgmlType t, uint8_t *row, int64_t k, std::mt19937 &rng) {
    const TypeGeometry g = type_geometry(static_cast<uint32_t>(t));
    const size_t bytes = static_cast<size_t>(k / g.block_size) * g.type_size;
    for (size_t i = 0; i < bytes; ++i) row[i] = static_cast<uint8_t>(rng());
    std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
    switch (t) {
        case GgmlType::F32:
            for (int64_t i = 0; i < k; ++i) { const float v = uni(rng); std::memcpy(row + 4 * i, &v, 4); }
            return;
        case GgmlType::F16:
            for (int64_t i = 0; i < k; ++i) { const uint16_t h = fp32_to_fp16(uni(rng)); std::memcpy(row + 2 * i, &h, 2); }
            return;
        case GgmlType::BF16:
            for (int64_t i = 0; i < k; ++i) { const uint16_t h = fp32_to_bf16(uni(rng)); std::memcpy(row + 2 * i, &h, 2); }
            return;
        default: break;
    }
    for (int64_t b = 0; b < k / g.block_size; ++b) {
        uint8_t *blk = row + b * g.type_size;
        auto set = [&](size_t offset, uint16_t v) { std::memcpy(blk + offset, &v, 2); };
        switch (t) {
            case GgmlType::Q4_0: case GgmlType::Q5_0: case GgmlType::Q8_0: set(0, random_scale(rng)); break;
            case GgmlType::Q4_1: case GgmlType::Q5_1: set(0, random_scale(rng)); set(2, random_scale(rng)); break;
            case GgmlType::Q2_K: set(offsetof(quant::BlockQ2_K, d), random_scale(rng)); set(offsetof(quant::BlockQ2_K, dmin), random_scale(rng)); break;
            case GgmlType::Q3_K: set(offsetof(quant::BlockQ3_K, d), random_scale(rng)); break;
            case GgmlType::Q4_K: case GgmlType::Q5_K: set(0, random_scale(rng, true)); set(2, random_scale(rng, true)); break;
            case GgmlType::Q6_K: set(offsetof(quant::BlockQ6_K, d), random_scale(rng)); break;
            default: break;
        }
    }
}

struct Rows {
    std::vector<uint8_t> data;
    size_t stride;
};

inline Rows make_rows(GgmlType t, int64_t k, int64_t n_rows, size_t pad, bool bits, std::mt19937 &rng) {
    const size_t rb = quant::row_bytes(t, k);
    Rows rows{std::vector<uint8_t>((rb + pad) * n_rows + 64), rb + pad};
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::vector<float> src(static_cast<size_t>(k));
    for (int64_t r = 0; r < n_rows; ++r) {
        uint8_t *row = rows.data.data() + r * rows.stride;
        if (bits) {
            randomize_bits(t, row, k, rng);
        } else {
            for (auto &v : src) v = gauss(rng);
            EXPECT_TRUE(quant::quantize(t, src.data(), row, 1, k));
        }
    }
    return rows;
}

}  // namespace lamina::cpu
