#include "sampling/grammar/json_schema_grammar.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "common/error.h"
#include "common/json_value.h"

namespace lamina::grammar {
namespace {

const char *const kSpaceRule = R"(| " " | "\n"{1,2} [ \t]{0,20})";

struct Builtin {
    const char *name;
    const char *rule;
    std::vector<const char *> deps;
};

// llama.cpp's PRIMITIVE_RULES and STRING_FORMAT_RULES.
const std::vector<Builtin> &builtins() {
    static const std::vector<Builtin> rules = {
        {"boolean", R"(("true" | "false") space)", {}},
        {"decimal-part", "[0-9]{1,16}", {}},
        {"integral-part", "[0] | [1-9] [0-9]{0,15}", {}},
        {"number", R"(("-"? integral-part) ("." decimal-part)? ([eE] [-+]? integral-part)? space)",
         {"integral-part", "decimal-part"}},
        {"integer", R"(("-"? integral-part) space)", {"integral-part"}},
        {"value", "object | array | string | number | boolean | null",
         {"object", "array", "string", "number", "boolean", "null"}},
        {"object", R"("{" space ( string ":" space value ("," space string ":" space value)* )? "}" space)",
         {"string", "value"}},
        {"array", R"("[" space ( value ("," space value)* )? "]" space)", {"value"}},
        {"uuid",
         R"("\"" [0-9a-fA-F]{8} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{4} "-" [0-9a-fA-F]{12} "\"" space)",
         {}},
        {"char", R"([^"\\\x7F\x00-\x1F] | [\\] (["\\bfnrt] | "u" [0-9a-fA-F]{4}))", {}},
        {"string", R"("\"" char* "\"" space)", {"char"}},
        {"null", R"("null" space)", {}},
        {"date", R"([0-9]{4} "-" ( "0" [1-9] | "1" [0-2] ) "-" ( "0" [1-9] | [1-2] [0-9] | "3" [0-1] ))", {}},
        {"time",
         R"(([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ( "." [0-9]{3} )? ( "Z" | ( "+" | "-" ) ( [01] [0-9] | "2" [0-3] ) ":" [0-5] [0-9] ))",
         {}},
        {"date-time", R"(date "T" time)", {"date", "time"}},
        {"date-string", R"("\"" date "\"" space)", {"date"}},
        {"time-string", R"("\"" time "\"" space)", {"time"}},
        {"date-time-string", R"("\"" date-time "\"" space)", {"date-time"}},
    };
    return rules;
}

const Builtin *find_builtin(const std::string &name) {
    for (const Builtin &b : builtins()) {
        if (name == b.name) return &b;
    }
    return nullptr;
}

// A GBNF string literal of UTF-8 text.
std::string literal(const std::string &s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            static const char *const kHex = "0123456789ABCDEF";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string sanitize(const std::string &name) {
    std::string out;
    bool dash = false;
    for (const char c : name) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
            out += c;
            dash = false;
        } else if (!dash) {
            out += '-';
            dash = true;
        }
    }
    return out.empty() ? "r" : out;
}

std::string join(const std::vector<std::string> &parts, const std::string &sep) {
    std::string s;
    for (size_t i = 0; i < parts.size(); ++i) s += (i ? sep : "") + parts[i];
    return s;
}

// llama.cpp's _build_repetition: item repeated min..max times (max < 0: unbounded), with an
// optional separator between items.
std::string repetition(const std::string &item, int min, int max, const std::string &sep = "") {
    if (max == 0) return "";
    if (min == 0 && max == 1) return item + "?";
    if (sep.empty()) {
        if (min == 1 && max < 0) return item + "+";
        if (min == 0 && max < 0) return item + "*";
        return item + "{" + std::to_string(min) + "," + (max < 0 ? "" : std::to_string(max)) + "}";
    }
    const std::string result =
        item + " " + repetition("(" + sep + " " + item + ")", min > 0 ? min - 1 : 0, max < 0 ? -1 : max - 1);
    return min == 0 ? "(" + result + ")?" : result;
}

class SchemaConverter {
public:
    explicit SchemaConverter(const JsonValue &root) : root_(root) {}

    std::string convert() {
        visit(root_, "", "#");
        std::string out;
        for (const auto &rule : rules_) out += rule.first + " ::= " + rule.second + "\n";
        return out;
    }

private:
    const JsonValue &root_;
    std::map<std::string, std::string> rules_ = {{"space", kSpaceRule}};
    std::map<std::string, std::string> refs_;  // "#/$defs/x" -> its rule
    std::set<std::string> pending_;            // rules named for a $ref, not yet written

    [[noreturn]] static void bad(const std::string &path, const std::string &why) {
        fail(LM_ERR_INVALID_ARGUMENT, "JSON schema at " + path + ": " + why);
    }

    std::string add_rule(const std::string &name, const std::string &rule) {
        const std::string esc = sanitize(name);
        std::string key = esc;
        auto it = rules_.find(esc);
        if (it != rules_.end() && it->second != rule && pending_.count(esc) == 0) {
            for (int i = 0;; ++i) {
                key = esc + std::to_string(i);
                auto other = rules_.find(key);
                if (other == rules_.end() || other->second == rule) break;
            }
        }
        pending_.erase(key);
        rules_[key] = rule;
        return key;
    }

    // A builtin rule by its own name (llama.cpp's _add_primitive): the root gets an alias.
    std::string builtin_as(const std::string &rule_name, const std::string &name) {
        add_builtin(name);
        return rule_name == "root" || pending_.count(sanitize(rule_name)) ? add_rule(rule_name, name) : name;
    }

    std::string add_builtin(const std::string &name) {
        const Builtin *b = find_builtin(name);
        rules_[name] = b->rule;  // first: value and object refer to each other
        for (const char *dep : b->deps) {
            if (rules_.find(dep) == rules_.end()) add_builtin(dep);
        }
        return name;
    }

    static bool reserved(const std::string &name) {
        return name == "root" || name == "space" || find_builtin(name) != nullptr;
    }

    static std::string child(const std::string &name, const std::string &part) {
        return name + (name.empty() ? "" : "-") + part;
    }

    static int count(const JsonValue &s, const char *key, int fallback, const std::string &path) {
        const JsonValue *v = s.find(key);
        if (v == nullptr) return fallback;
        if (!v->is_number() || v->as_number() < 0 || v->as_number() != std::floor(v->as_number()) ||
            v->as_number() > 100000) {
            bad(path, std::string(key) + " must be a whole number from 0 to 100000");
        }
        return static_cast<int>(v->as_number());
    }

    const JsonValue &resolve(const std::string &ref, const std::string &path) const {
        if (ref.rfind("#/", 0) != 0 && ref != "#") {
            bad(path, "$ref '" + ref + "' is not supported (only references into this schema: #/$defs/NAME)");
        }
        const JsonValue *at = &root_;
        size_t i = 1;
        while (i < ref.size()) {
            const size_t next = std::min(ref.find('/', i + 1), ref.size());
            std::string part = ref.substr(i + 1, next - i - 1);
            for (size_t k; (k = part.find("~1")) != std::string::npos;) part.replace(k, 2, "/");
            for (size_t k; (k = part.find("~0")) != std::string::npos;) part.replace(k, 2, "~");
            at = at->find(part);
            if (at == nullptr) bad(path, "$ref '" + ref + "' names nothing in the schema");
            i = next;
        }
        return *at;
    }

    std::string visit_ref(const std::string &ref, const std::string &path) {
        auto it = refs_.find(ref);
        if (it != refs_.end()) return it->second;
        const JsonValue &target = resolve(ref, path);
        std::string name = sanitize(ref.substr(ref.rfind('/') + 1));
        if (reserved(name) || name == "r") name = "ref-" + name;
        std::string key = name;
        for (int i = 0; rules_.count(key) != 0; ++i) key = name + std::to_string(i);
        rules_[key] = "";
        pending_.insert(key);
        refs_[ref] = key;
        visit(target, key, ref);
        return key;
    }

    std::string union_of(const JsonValue &alts, const std::string &name, const std::string &path,
                         const char *keyword) {
        if (!alts.is_array() || alts.items().empty()) bad(path, std::string(keyword) + " must be a non-empty array");
        std::vector<std::string> parts;
        for (size_t i = 0; i < alts.items().size(); ++i) {
            parts.push_back(visit(alts.items()[i], child(name, std::to_string(i)),
                                  path + "/" + keyword + "/" + std::to_string(i)));
        }
        return join(parts, " | ");
    }

    std::string visit(const JsonValue &s, const std::string &name, const std::string &path) {
        const std::string rule_name = reserved(name) ? name + "-" : name.empty() ? "root" : name;
        if (s.is_bool()) {
            if (!s.as_bool()) bad(path, "the schema false allows nothing");
            return builtin_as(rule_name, "value");
        }
        if (!s.is_object()) bad(path, "a schema must be an object or a boolean");
        if (const JsonValue *ref = s.find("$ref")) {
            if (!ref->is_string()) bad(path, "$ref must be a string");
            return add_rule(rule_name, visit_ref(ref->text(), path));
        }
        for (const char *k : {"oneOf", "anyOf"}) {
            if (const JsonValue *alts = s.find(k)) return add_rule(rule_name, union_of(*alts, name, path, k));
        }
        const JsonValue *type = s.find("type");
        if (type != nullptr && type->is_array()) {
            std::vector<std::string> parts;
            for (size_t i = 0; i < type->items().size(); ++i) {
                std::vector<std::pair<std::string, JsonValue>> members = s.members();
                for (auto &m : members) {
                    if (m.first == "type") m.second = type->items()[i];
                }
                const JsonValue alt = JsonValue::object(members);
                parts.push_back(visit(alt, child(name, std::to_string(i)), path + "/type/" + std::to_string(i)));
            }
            if (parts.empty()) bad(path, "type must not be an empty array");
            return add_rule(rule_name, join(parts, " | "));
        }
        if (type != nullptr && !type->is_string()) bad(path, "type must be a string or an array of strings");
        const std::string t = type != nullptr ? type->text() : "";
        if (const JsonValue *c = s.find("const")) return add_rule(rule_name, literal(c->dump()) + " space");
        if (const JsonValue *e = s.find("enum")) {
            if (!e->is_array() || e->items().empty()) bad(path, "enum must be a non-empty array");
            std::vector<std::string> parts;
            for (const JsonValue &v : e->items()) parts.push_back(literal(v.dump()));
            return add_rule(rule_name, "(" + join(parts, " | ") + ") space");
        }
        if ((t.empty() || t == "object") && s.find("allOf") != nullptr) {
            return add_rule(rule_name, all_of(*s.find("allOf"), name, path));
        }
        const JsonValue *additional = s.find("additionalProperties");
        if ((t.empty() || t == "object") &&
            (s.find("properties") != nullptr || (additional != nullptr && !(additional->is_bool() && additional->as_bool())))) {
            std::vector<std::pair<std::string, const JsonValue *>> props;
            if (const JsonValue *p = s.find("properties")) {
                if (!p->is_object()) bad(path, "properties must be an object");
                for (const auto &m : p->members()) props.emplace_back(m.first, &m.second);
            }
            return add_rule(rule_name, object_rule(props, required_of(s, path), name, additional, path));
        }
        if ((t.empty() || t == "array") && (s.find("items") != nullptr || s.find("prefixItems") != nullptr)) {
            return add_rule(rule_name, array_rule(s, name, path));
        }
        if ((t.empty() || t == "string") && s.find("pattern") != nullptr) {
            bad(path, "pattern is not supported (use enum, format, minLength/maxLength, or a GBNF grammar)");
        }
        if (t == "string" && s.find("format") != nullptr && s.find("format")->is_string()) {
            const std::string f = s.find("format")->text();
            if (f == "uuid") return builtin_as(rule_name, "uuid");
            if (f == "date" || f == "time" || f == "date-time") return builtin_as(rule_name, f + "-string");
        }
        if (t == "string" && (s.find("minLength") != nullptr || s.find("maxLength") != nullptr)) {
            const int min = count(s, "minLength", 0, path), max = count(s, "maxLength", -1, path);
            if (max >= 0 && max < min) bad(path, "maxLength is below minLength");
            const std::string ch = add_builtin("char");
            return add_rule(rule_name, R"("\"" )" + repetition(ch, min, max) + R"( "\"" space)");
        }
        if (t == "integer" && (s.find("minimum") || s.find("maximum") || s.find("exclusiveMinimum") ||
                               s.find("exclusiveMaximum"))) {
            return add_rule(rule_name, integer_range(s, path));
        }
        if (t.empty() || t == "object") {
            if (t.empty() && s.members().empty()) return builtin_as(rule_name, "value");
            if (t.empty()) {
                // Only keywords the grammar ignores (title, description...): any value.
                return builtin_as(rule_name, "value");
            }
            return builtin_as(rule_name, "object");
        }
        if (t == "boolean" || t == "null" || t == "number" || t == "integer" || t == "string" || t == "array") {
            return builtin_as(rule_name, t);
        }
        bad(path, "unknown type '" + t + "'");
    }

    static std::set<std::string> required_of(const JsonValue &s, const std::string &path) {
        std::set<std::string> required;
        if (const JsonValue *r = s.find("required")) {
            if (!r->is_array()) bad(path, "required must be an array of property names");
            for (const JsonValue &k : r->items()) {
                if (!k.is_string()) bad(path, "required must be an array of property names");
                required.insert(k.text());
            }
        }
        return required;
    }

    // The properties of every (object) schema in allOf, required wherever one requires them.
    std::string all_of(const JsonValue &parts, const std::string &name, const std::string &path) {
        if (!parts.is_array() || parts.items().empty()) bad(path, "allOf must be a non-empty array");
        std::vector<std::pair<std::string, const JsonValue *>> props;
        std::set<std::string> required;
        for (size_t i = 0; i < parts.items().size(); ++i) {
            const JsonValue *part = &parts.items()[i];
            const std::string at = path + "/allOf/" + std::to_string(i);
            if (part->is_object() && part->find("$ref") != nullptr && part->find("$ref")->is_string()) {
                part = &resolve(part->find("$ref")->text(), at);
            }
            const JsonValue *p = part->is_object() ? part->find("properties") : nullptr;
            if (p == nullptr || !p->is_object()) bad(at, "allOf is supported for object schemas with properties");
            for (const auto &m : p->members()) {
                auto same = std::find_if(props.begin(), props.end(), [&](const auto &q) { return q.first == m.first; });
                if (same == props.end()) props.emplace_back(m.first, &m.second);
            }
            for (const std::string &r : required_of(*part, at)) required.insert(r);
        }
        return object_rule(props, required, name, nullptr, path);
    }

    // llama.cpp's _build_object_rule: the required properties in order, then any run of the
    // optional ones in their order, then (additionalProperties) other keys.
    std::string object_rule(const std::vector<std::pair<std::string, const JsonValue *>> &props,
                            const std::set<std::string> &required, const std::string &name,
                            const JsonValue *additional, const std::string &path) {
        std::map<std::string, std::string> kv;
        std::vector<std::string> req, opt;
        for (const auto &p : props) {
            const std::string value = visit(*p.second, child(name, p.first), path + "/properties/" + p.first);
            kv[p.first] = add_rule(child(name, p.first) + "-kv",
                                   literal(json_quote(p.first)) + R"( space ":" space )" + value);
            (required.count(p.first) ? req : opt).push_back(p.first);
        }
        for (const std::string &r : required) {
            if (kv.find(r) == kv.end()) bad(path, "required property '" + r + "' is not among the properties");
        }
        if (additional != nullptr && !(additional->is_bool() && !additional->as_bool())) {
            const std::string sub = child(name, "additional");
            const std::string value = additional->is_object() ? visit(*additional, sub + "-value", path + "/additionalProperties")
                                                              : add_builtin("value");
            std::vector<std::string> keys;
            for (const auto &p : props) keys.push_back(p.first);
            const std::string key = keys.empty() ? add_builtin("string") : add_rule(sub + "-k", not_strings(keys, path));
            kv["*"] = add_rule(sub + "-kv", key + R"( ":" space )" + value);
            opt.push_back("*");
        }
        std::string rule = R"("{" space )";
        std::vector<std::string> req_refs;
        for (const std::string &r : req) req_refs.push_back(kv[r]);
        rule += join(req_refs, R"( "," space )");
        if (!opt.empty()) {
            rule += " (";
            if (!req.empty()) rule += R"( "," space ( )";
            std::vector<std::string> alts;
            for (size_t i = 0; i < opt.size(); ++i) {
                alts.push_back(optional_run(std::vector<std::string>(opt.begin() + static_cast<std::ptrdiff_t>(i), opt.end()),
                                            false, kv, name));
            }
            rule += join(alts, " | ");
            if (!req.empty()) rule += " )";
            rule += " )?";
        }
        return rule + R"( "}" space)";
    }

    std::string optional_run(const std::vector<std::string> &ks, bool first_is_optional,
                             std::map<std::string, std::string> &kv, const std::string &name) {
        const std::string &k = ks[0];
        const std::string comma = R"(( "," space )" + kv[k] + " )";
        std::string res = first_is_optional ? comma + (k == "*" ? "*" : "?") : kv[k] + (k == "*" ? " " + comma + "*" : "");
        if (ks.size() > 1) {
            res += " " + add_rule(child(name, k == "*" ? "additional" : k) + "-rest",
                                  optional_run(std::vector<std::string>(ks.begin() + 1, ks.end()), true, kv, name));
        }
        return res;
    }

    // A JSON string that is none of `keys` (llama.cpp's _not_strings): a trie of the keys,
    // each level allowing a character that leaves the trie or a step further into it.
    std::string not_strings(const std::vector<std::string> &keys, const std::string &path) {
        struct Trie {
            std::map<char, Trie> kids;
            bool end = false;
        } trie;
        for (const std::string &k : keys) {
            const std::string escaped = json_quote(k);
            if (escaped.find('\\') != std::string::npos || std::any_of(k.begin(), k.end(), [](char c) {
                    return static_cast<unsigned char>(c) >= 0x80;
                })) {
                bad(path, "additionalProperties next to a property name that is not plain ASCII ('" + k +
                              "') is not supported");
            }
            Trie *at = &trie;
            for (const char c : k) at = &at->kids[c];
            at->end = true;
        }
        const std::string ch = add_builtin("char");
        auto cls = [](char c) {
            std::string s = "[";
            if (c == ']' || c == '[' || c == '^' || c == '-' || c == '\\' || c == '"') s += '\\';
            return s + c + "]";
        };
        std::string out = R"("\"" ( )";
        auto visit_node = [&](auto &&self, const Trie &node) -> void {
            std::string rejects;
            bool first = true;
            for (const auto &kid : node.kids) {
                if (c_needs_escape(kid.first)) rejects += '\\';
                rejects += kid.first;
                out += first ? "" : " | ";
                first = false;
                out += cls(kid.first);
                if (!kid.second.kids.empty()) {
                    out += " (";
                    self(self, kid.second);
                    out += kid.second.end ? ")" : ")?";
                } else if (kid.second.end) {
                    out += " " + ch + "+";
                }
            }
            if (!node.kids.empty()) {
                out += first ? "" : " | ";
                out += R"(([^"\\\x7F\x00-\x1F)" + rejects + R"(] | [\\] (["\\bfnrt] | "u" [0-9a-fA-F]{4})) )" + ch + "*";
            }
        };
        visit_node(visit_node, trie);
        out += std::string(" )") + (trie.end ? "" : "?") + R"( "\"" space)";
        return out;
    }

    static bool c_needs_escape(char c) { return c == ']' || c == '[' || c == '^' || c == '-' || c == '\\'; }

    std::string array_rule(const JsonValue &s, const std::string &name, const std::string &path) {
        const JsonValue *items = s.find("items");
        const JsonValue *prefix = s.find("prefixItems");
        if (prefix == nullptr && items != nullptr && items->is_array()) prefix = items;  // draft-07 tuples
        if (prefix != nullptr) {
            if (!prefix->is_array()) bad(path, "prefixItems must be an array of schemas");
            std::vector<std::string> parts;
            for (size_t i = 0; i < prefix->items().size(); ++i) {
                parts.push_back(visit(prefix->items()[i], child(name, "tuple-" + std::to_string(i)),
                                      path + "/prefixItems/" + std::to_string(i)));
            }
            return R"("[" space )" + join(parts, R"( "," space )") + R"( "]" space)";
        }
        const std::string item = visit(*items, child(name, "item"), path + "/items");
        const int min = count(s, "minItems", 0, path), max = count(s, "maxItems", -1, path);
        if (max >= 0 && max < min) bad(path, "maxItems is below minItems");
        return R"("[" space )" + repetition(item, min, max, R"("," space)") + R"( "]" space)";
    }

    // Integer bounds as the alternatives of every allowed value: exact, for ranges a grammar
    // of alternatives stays small for.
    std::string integer_range(const JsonValue &s, const std::string &path) {
        auto bound = [&](const char *key) -> const JsonValue * {
            const JsonValue *v = s.find(key);
            if (v != nullptr && !v->is_number()) bad(path, std::string(key) + " must be a number");
            return v;
        };
        const JsonValue *mn = bound("minimum"), *mx = bound("maximum"), *xmn = bound("exclusiveMinimum"),
                        *xmx = bound("exclusiveMaximum");
        double lo = -INFINITY, hi = INFINITY;
        if (mn) lo = std::ceil(mn->as_number());
        if (xmn) lo = std::max(lo, std::floor(xmn->as_number()) + 1);
        if (mx) hi = std::floor(mx->as_number());
        if (xmx) hi = std::min(hi, std::ceil(xmx->as_number()) - 1);
        if (std::isinf(lo) || std::isinf(hi) || hi - lo > 1000) {
            bad(path, "integer bounds are supported for ranges of up to 1001 values with both ends given");
        }
        if (hi < lo) bad(path, "the integer bounds allow no value");
        std::vector<std::string> parts;
        // Longest first is not needed: a value ends at the next non-digit, which the grammar decides.
        for (double v = lo; v <= hi; ++v) parts.push_back(literal(std::to_string(static_cast<long long>(v))));
        return "(" + join(parts, " | ") + ") space";
    }
};

}  // namespace

std::string json_schema_to_grammar(std::string_view schema_json) {
    const JsonValue schema = parse_json(schema_json, "JSON schema");
    return SchemaConverter(schema).convert();
}

}  // namespace lamina::grammar
