package dev.lamina.template;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps}, which Hugging Face's {@code tojson} filter calls with
 * {@code ensure_ascii=False} by default: ", " and ": " separators (", " becomes "," when indenting),
 * insertion order unless sort_keys, float repr as Python prints it.
 */
final class PyJson {
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean ensureAscii;
    private final boolean sortKeys;
    private final StringBuilder out = new StringBuilder();

    private PyJson(String indent, String itemSeparator, String keySeparator, boolean ensureAscii, boolean sortKeys) {
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.ensureAscii = ensureAscii;
        this.sortKeys = sortKeys;
    }

    /** indent: null, a whole number of spaces or a string; separators: null or a 2-item list. */
    static String dumps(Object value, Object indent, Object separators, boolean ensureAscii, boolean sortKeys) {
        String ind = switch (indent) {
            case null -> null;
            case String s -> s;
            default -> " ".repeat((int) Math.max(0, Values.toLong(indent)));
        };
        String item = ind == null ? ", " : ",";
        String key = ": ";
        if (separators != null) {
            List<Object> seps = Values.iterate(separators);
            if (seps.size() != 2) {
                throw new EvalError("separators must be a (item_separator, key_separator) pair");
            }
            item = Values.str(seps.get(0));
            key = Values.str(seps.get(1));
        }
        PyJson json = new PyJson(ind, item, key, ensureAscii, sortKeys);
        json.write(value, 0);
        return json.out.toString();
    }

    private void newline(int level) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(level));
        }
    }

    private void write(Object v, int level) {
        switch (v) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Long l -> out.append(l);
            case BigInteger b -> out.append(b);
            case Double d -> out.append(Double.isNaN(d) ? "NaN"
                    : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : Values.floatRepr(d));
            case String s -> string(s);
            case List<?> l -> {
                if (l.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        out.append(itemSeparator);
                    }
                    newline(level + 1);
                    write(l.get(i), level + 1);
                }
                newline(level);
                out.append(']');
            }
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    out.append("{}");
                    return;
                }
                List<Map.Entry<String, Object>> entries = new ArrayList<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    entries.add(Map.entry(key(e.getKey()), e.getValue() == null ? NULL : e.getValue()));
                }
                if (sortKeys) {
                    entries.sort((a, b) -> PyStrings.compare(a.getKey(), b.getKey()));
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, Object> e : entries) {
                    if (!first) {
                        out.append(itemSeparator);
                    }
                    first = false;
                    newline(level + 1);
                    string(e.getKey());
                    out.append(keySeparator);
                    write(e.getValue() == NULL ? null : e.getValue(), level + 1);
                }
                newline(level);
                out.append('}');
            }
            case Namespace n -> throw new EvalError("Object of type Namespace is not JSON serializable");
            case Undefined u -> throw new EvalError("Object of type Undefined is not JSON serializable");
            default -> throw new EvalError("Object of type " + Values.typeName(v) + " is not JSON serializable");
        }
    }

    /** Map.entry refuses null values. */
    private static final Object NULL = new Object();

    private static String key(Object k) {
        return switch (k) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Long l -> l.toString();
            case Double d -> Values.floatRepr(d);
            default -> throw new EvalError("keys must be str, int, float, bool or None, not " + Values.typeName(k));
        };
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
