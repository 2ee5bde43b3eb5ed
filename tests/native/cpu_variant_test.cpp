// Variant selection: LAMINA_CPU values resolve to a runnable variant, and an unknown or
// unavailable request falls back to the best available one with a visible reason.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "cpu/kernels.h"

namespace lamina::cpu {
namespace {

const Variant kAll[] = {Variant::Scalar, Variant::Avx2, Variant::Avx512, Variant::Neon};

Variant best() {
    for (Variant v : {Variant::Avx512, Variant::Avx2, Variant::Neon})
        if (variant_available(v)) return v;
    return Variant::Scalar;
}

TEST(CpuVariantChoice, UnsetMeansBestAvailable) {
    for (const char *unset : {static_cast<const char *>(nullptr), ""}) {
        const VariantChoice c = choose_variant(unset);
        EXPECT_EQ(c.variant, best());
        EXPECT_EQ(c.override_error, "");
    }
}

TEST(CpuVariantChoice, EachNameIsHonouredOrExplained) {
    for (Variant v : kAll) {
        const VariantChoice c = choose_variant(variant_name(v));
        if (variant_available(v)) {
            EXPECT_EQ(c.variant, v);
            EXPECT_EQ(c.override_error, "");
        } else {
            EXPECT_EQ(c.variant, best());
            EXPECT_NE(c.override_error.find(variant_name(v)), std::string::npos) << c.override_error;
            EXPECT_NE(c.override_error.find("cannot run"), std::string::npos) << c.override_error;
            EXPECT_EQ(dot_kernel(GgmlType::Q4_0, v), nullptr);  // never hands out unrunnable code
        }
    }
    EXPECT_TRUE(variant_available(Variant::Scalar));
}

TEST(CpuVariantChoice, UnknownNameFallsBack) {
    const VariantChoice c = choose_variant("sse9");
    EXPECT_EQ(c.variant, best());
    EXPECT_NE(c.override_error.find("sse9"), std::string::npos);
    EXPECT_NE(c.override_error.find("unknown"), std::string::npos);
}

TEST(CpuVariantChoice, ActiveVariantFollowsEnvironment) {
    const VariantChoice c = choose_variant(std::getenv("LAMINA_CPU"));
    EXPECT_EQ(active_variant(), c.variant);
    EXPECT_EQ(std::string(variant_override_error()), c.override_error);
    EXPECT_TRUE(variant_available(active_variant()));
}

}  // namespace
}  // namespace lamina::cpu
