// The golden cases of tests/golden_cases.txt (one table for the native and the JVM suites): which
// goldens of ../shared/golden the suites compare with, against which model, within which bounds.
#pragma once

#include <algorithm>

#include <cstdlib>
#include <fstream>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#ifndef LAMINA_GOLDEN_CASES_FILE
#error "LAMINA_GOLDEN_CASES_FILE must name tests/golden_cases.txt (tests/native/CMakeLists.txt defines it)"
#endif

namespace lamina::testing {

struct GoldenModelCase {
    std::string golden;  // ../shared/golden/GOLDEN.json
    std::string model;   // ../shared/models/MODEL.gguf
    double tolerance;    // max |ours - golden| / max |golden| per row
    double min_cosine;   // per-row cosine similarity (0: not checked)
    std::vector<std::string> kv_types = {"f16", "f32", "q8_0"};  // the KV caches it is checked with

    bool checks_kv(const std::string &kv) const {
        return std::find(kv_types.begin(), kv_types.end(), kv) != kv_types.end();
    }
};

// How GoogleTest names a case in test lists and failures.
inline void PrintTo(const GoldenModelCase &c, std::ostream *os) {
    *os << c.golden << " (model " << c.model << ", tolerance " << c.tolerance << ", min cosine " << c.min_cosine << ")";
}

struct GoldenCaseTable {
    std::string path;
    std::vector<GoldenModelCase> cases;
    std::string error;  // why the table could not be read (cases is then empty)
};

namespace detail {

inline bool parse_bound(const std::string &text, double lo, double hi, double &out) {
    char *end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return end != text.c_str() && *end == '\0' && out >= lo && out <= hi;
}

inline GoldenCaseTable read_golden_case_table(const std::string &path) {
    GoldenCaseTable table;
    table.path = path;
    std::ifstream in(path);
    if (!in) {
        table.error = "cannot read the golden case table '" + path + "'";
        return table;
    }
    std::set<std::string> seen;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const std::string where = path + ":" + std::to_string(number) + ": ";
        const size_t hash = line.find('#');
        std::istringstream fields(line.substr(0, hash));
        std::vector<std::string> f;
        for (std::string field; fields >> field;) f.push_back(field);
        if (f.empty()) continue;
        GoldenModelCase c{};
        if (f.size() != 4 && f.size() != 5) {
            table.error = where + "expected 'golden model tolerance min_cosine [kv_types]', got " +
                          std::to_string(f.size()) + " fields";
        } else if (!parse_bound(f[2], 1e-9, 1, c.tolerance)) {
            table.error = where + "tolerance '" + f[2] + "' is not a number in (0, 1]";
        } else if (!parse_bound(f[3], 0, 1, c.min_cosine)) {
            table.error = where + "min_cosine '" + f[3] + "' is not a number in [0, 1]";
        } else if (!seen.insert(f[0]).second) {
            table.error = where + "golden '" + f[0] + "' is listed twice";
        } else if (f.size() == 5) {
            // The KV cache types the case is checked with, "f16,f32".
            c.kv_types.clear();
            std::istringstream list(f[4]);
            for (std::string kv; std::getline(list, kv, ',');) {
                if (kv != "f16" && kv != "f32" && kv != "q8_0") {
                    table.error = where + "KV type '" + kv + "' is not one of f16, f32, q8_0";
                }
                c.kv_types.push_back(kv);
            }
        }
        if (!table.error.empty()) {
            table.cases.clear();
            return table;
        }
        c.golden = f[0];
        c.model = f[1];
        table.cases.push_back(c);
    }
    return table;
}

}  // namespace detail

// Read once per process.
inline const GoldenCaseTable &golden_case_table() {
    static const GoldenCaseTable table = detail::read_golden_case_table(LAMINA_GOLDEN_CASES_FILE);
    return table;
}

inline const std::vector<GoldenModelCase> &golden_cases() { return golden_case_table().cases; }

}  // namespace lamina::testing
