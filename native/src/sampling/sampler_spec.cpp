#include "sampling/sampler_spec.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "common/error.h"

namespace lamina {
namespace {

[[noreturn]] void bad(const std::string &spec, const std::string &why) {
    fail(LM_ERR_INVALID_ARGUMENT, "sampler '" + spec + "': " + why);
}

// Splits on blanks; "..." is one item with \" \\ \n \t escapes, kept with a leading '"' marker.
std::vector<std::string> split_items(const std::string &spec) {
    std::vector<std::string> items;
    size_t i = 0;
    while (i < spec.size()) {
        if (spec[i] == ' ' || spec[i] == '\t') {
            ++i;
            continue;
        }
        std::string item;
        if (spec[i] == '"') {
            item = "\"";
            ++i;
            bool closed = false;
            while (i < spec.size()) {
                char ch = spec[i++];
                if (ch == '"') {
                    closed = true;
                    break;
                }
                if (ch == '\\' && i < spec.size()) {
                    const char e = spec[i++];
                    ch = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
                }
                item += ch;
            }
            if (!closed) bad(spec, "a quoted item is not closed");
        } else {
            while (i < spec.size() && spec[i] != ' ' && spec[i] != '\t') item += spec[i++];
        }
        items.push_back(item);
    }
    return items;
}

}  // namespace

bool parse_sampler_number(const std::string &text, double &out) {
    if (text == "-inf") {
        out = -INFINITY;
        return true;
    }
    if (text == "inf" || text == "+inf") {
        out = INFINITY;
        return true;
    }
    if (text.empty()) return false;
    errno = 0;
    char *end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return errno == 0 && end == text.c_str() + text.size() && std::isfinite(out);
}

namespace {

std::string known_keys(const SamplerKind &k) {
    std::string s;
    for (const SamplerParam &p : k.params) s += (s.empty() ? "" : ", ") + std::string(p.key);
    return s.empty() ? "none" : s;
}

}  // namespace

ParsedSpec parse_sampler_spec(const std::string &spec) {
    const std::vector<std::string> items = split_items(spec);
    if (items.empty()) fail(LM_ERR_INVALID_ARGUMENT, "empty sampler spec (samplers: " + sampler_kind_names() + ")");
    const SamplerKind *kind = find_sampler_kind(items[0]);
    if (kind == nullptr) bad(spec, "unknown sampler '" + items[0] + "' (samplers: " + sampler_kind_names() + ")");
    ParsedSpec out{kind, {}};
    for (const SamplerParam &p : kind->params) out.args.values[p.key] = p.default_value;
    std::map<std::string, bool> given;
    for (size_t i = 1; i < items.size(); ++i) {
        const std::string &item = items[i];
        if (item[0] == '"') {
            if (!kind->takes_strings) bad(spec, kind->name + std::string(" takes no quoted items"));
            out.args.strings.push_back(item.substr(1));
            continue;
        }
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0) bad(spec, "'" + item + "' is not KEY=VALUE");
        const std::string key = item.substr(0, eq), text = item.substr(eq + 1);
        const SamplerParam *param = nullptr;
        for (const SamplerParam &p : kind->params) {
            if (key == p.key) param = &p;
        }
        if (param == nullptr) {
            if (kind->takes_entries) {
                out.args.entries.emplace_back(key, text);
                continue;
            }
            bad(spec, "unknown key '" + key + "' (" + kind->name + " takes: " + known_keys(*kind) + ")");
        }
        if (given[key]) bad(spec, "'" + key + "' is given twice");
        given[key] = true;
        double v = 0;
        if (!parse_sampler_number(text, v) || std::isinf(v)) bad(spec, key + " = '" + text + "' is not a finite number");
        if (param->integer && v != std::floor(v)) bad(spec, key + " = " + text + " must be a whole number");
        if (v < param->min || v > param->max) {
            bad(spec, key + " = " + text + " is out of range [" + std::to_string(param->min) + ", " +
                          std::to_string(param->max) + "] (" + param->meaning + ")");
        }
        out.args.values[key] = v;
    }
    return out;
}

}  // namespace lamina
