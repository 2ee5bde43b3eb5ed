package dev.lamina.template;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Jinja's built-in filters (with Hugging Face's {@code tojson}), by name. */
final class Filters {
    private Filters() {}

    @FunctionalInterface
    interface Filter {
        Object apply(Renderer r, Object value, Args args);
    }

    private static final Map<String, Filter> FILTERS = new HashMap<>();

    static boolean exists(String name) {
        return FILTERS.containsKey(name);
    }

    static Object apply(Renderer r, String name, Object value, Args args) {
        Filter f = FILTERS.get(name);
        if (f == null) {
            throw new EvalError("No filter named '" + name + "' found.");
        }
        r.budget().tick();
        return f.apply(r, value, args);
    }

    static void define(Filter f, String... names) {
        for (String n : names) {
            FILTERS.put(n, f);
        }
    }

    /** Jinja filters coerce their input with str() (Undefined becomes ""). */
    private static String s(Object v) {
        return Values.str(v);
    }

    static {
        define((r, v, a) -> PyStrings.strip(s(v), a.get(0, "chars", null) == null ? null : s(a.get(0, "chars", null)),
                true, true), "trim");
        define((r, v, a) -> s(v).toUpperCase(Locale.ROOT), "upper");
        define((r, v, a) -> s(v).toLowerCase(Locale.ROOT), "lower");
        define((r, v, a) -> PyStrings.capitalize(s(v)), "capitalize");
        define((r, v, a) -> title(s(v)), "title");
        define((r, v, a) -> s(v), "string");
        define((r, v, a) -> r.markup().isMarkup(v) ? v : r.markup().mark(s(v)), "safe");
        define((r, v, a) -> r.markup().escape(v), "escape", "e");
        define((r, v, a) -> r.markup().mark(escape(s(v))), "forceescape");
        define((r, v, a) -> Values.len(v), "length", "count");
        define((r, v, a) -> {
            Object dflt = a.get(0, "default_value", "");
            boolean bool = Values.truthy(a.get(1, "boolean", false));
            return (v instanceof Undefined || (bool && !Values.truthy(v))) ? dflt : v;
        }, "default", "d");
        define((r, v, a) -> {
            Object count = a.get(2, "count", null);
            return PyStrings.replace(s(v), s(a.required(0, "old")), s(a.required(1, "new")),
                    count == null ? -1 : Values.toLong(count));
        }, "replace");
        define(Filters::join, "join");
        define((r, v, a) -> Values.iterate(v), "list");
        define((r, v, a) -> {
            if (v instanceof Undefined) {
                return new ArrayList<>();
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw new EvalError("Can only get item pairs from a mapping.");
            }
            List<Object> out = new ArrayList<>();
            m.forEach((k, x) -> out.add(PyTuple.of(k, x)));
            return out;
        }, "items");
        define((r, v, a) -> {
            List<Object> items = Values.iterate(v);
            return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.get(0);
        }, "first");
        define((r, v, a) -> {
            if (v instanceof PyGenerator) {
                // jinja2 takes the last item through reversed(), which a generator does not support.
                throw new EvalError("TypeError: 'generator' object is not reversible");
            }
            List<Object> items = Values.iterate(v);
            return items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.get(items.size() - 1);
        }, "last");
        define((r, v, a) -> {
            if (v instanceof String str) {
                return new StringBuilder(str).reverse().toString();
            }
            List<Object> items = Values.iterate(v);
            java.util.Collections.reverse(items);
            return items;
        }, "reverse");
        define((r, v, a) -> PyJson.dumps(v, a.get(1, "indent", null), a.get(2, "separators", null),
                Values.truthy(a.get(0, "ensure_ascii", false)), Values.truthy(a.get(3, "sort_keys", false))),
                "tojson");
        define((r, v, a) -> select(r, v, a, true, false), "select");
        define((r, v, a) -> select(r, v, a, false, false), "reject");
        define((r, v, a) -> select(r, v, a, true, true), "selectattr");
        define((r, v, a) -> select(r, v, a, false, true), "rejectattr");
        define(Filters::map, "map");
        define((r, v, a) -> pythonAttribute(v, s(a.required(0, "name"))), "attr");
        SequenceFilters.register();
        TextFilters.register();
        define((r, v, a) -> {
            if (Values.isInt(v)) {
                return Values.intResult(Values.toBig(v).abs());
            }
            if (v instanceof Double d) {
                return Math.abs(d);
            }
            throw new EvalError("bad operand type for abs(): '" + Values.typeName(v) + "'");
        }, "abs");
        define(Filters::toInt, "int");
        define((r, v, a) -> {
            if (v instanceof Undefined u) {
                throw u.fail();
            }
            try {
                return v instanceof String str ? Double.parseDouble(str.strip()) : Values.toDouble(v);
            } catch (RuntimeException e) {
                return a.get(0, "default", 0.0);
            }
        }, "float");
        define(Filters::round, "round");
        define(Filters::sort, "sort");
        define(Filters::dictsort, "dictsort");
        define(Filters::unique, "unique");
        define((r, v, a) -> minMax(v, a, false), "min");
        define((r, v, a) -> minMax(v, a, true), "max");
        define((r, v, a) -> {
            Object attr = a.get(0, "attribute", null);
            Object total = a.get(1, "start", 0L);
            for (Object x : Values.iterate(v)) {
                total = Values.add(total, attr == null ? x : attribute(x, s(attr)));
            }
            return total;
        }, "sum");
        define(Filters::indent, "indent");
        define((r, v, a) -> {
            int width = (int) Values.toLong(a.get(0, "width", 80L));
            return Methods.call(s(v), "center", List.of((long) width), Map.of());
        }, "center");
        define((r, v, a) -> Filters.WORD.matcher(s(v)).results().count(), "wordcount");
        define((r, v, a) -> {
            Object args = a.positional().isEmpty() ? new LinkedHashMap<Object, Object>(a.keywords())
                    : new PyTuple(a.positional());
            return r.markup().isMarkup(v) ? r.markup().percentFormat((String) v, args) : Values.mod(s(v), args);
        }, "format");
        define(Filters::truncate, "truncate");
        define((r, v, a) -> Values.repr(v), "pprint");
        define(Filters::batch, "batch");
    }

    /** Python's {@code \\w+} on str: letters, digits, underscore, in any script. */
    private static final java.util.regex.Pattern WORD = java.util.regex.Pattern.compile("[\\w]+",
            java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);

    /** Jinja's title: each word starts after a run of '-', whitespace or an opening bracket. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean wordStart = true;
        for (int cp : PyStrings.codePoints(s)) {
            boolean separator = cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || PyStrings.isSpace(cp);
            if (separator) {
                sb.appendCodePoint(cp);
                wordStart = true;
            } else {
                sb.appendCodePoint(wordStart ? Character.toTitleCase(cp) : Character.toLowerCase(cp));
                wordStart = false;
            }
        }
        return sb.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
                .replace("\"", "&#34;");
    }

    /** {@code value.attr} or {@code value['attr']}, with dotted paths and integer parts like Jinja's. */
    static Object attribute(Object value, String path) {
        Object v = value;
        for (String part : path.split("\\.")) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part)
                    : part;
            v = Values.getItem(v, key);
        }
        return v;
    }

    private static Object join(Renderer r, Object v, Args a) {
        String sep = s(a.get(0, "d", ""));
        Object attr = a.get(1, "attribute", null);
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object x : Values.iterate(v)) {
            if (!first) {
                sb.append(sep);
            }
            first = false;
            sb.append(s(attr == null ? x : attribute(x, s(attr))));
            RenderBudget.checkBuild(sb.length());
        }
        return sb.toString();
    }

    private static Object select(Renderer r, Object v, Args a, boolean keep, boolean byAttribute) {
        List<Object> args = a.positional();
        int next = 0;
        String attr = null;
        if (byAttribute) {
            if (args.isEmpty()) {
                throw new EvalError("Missing parameter for attribute name");
            }
            attr = s(args.get(next++));
        }
        String test = next < args.size() ? s(args.get(next++)) : null;
        List<Object> testArgs = new ArrayList<>(args.subList(Math.min(next, args.size()), args.size()));
        List<Object> out = new ArrayList<>();
        for (Object x : sequence(v)) {
            Object subject = attr == null ? x : attribute(x, attr);
            boolean ok = test == null ? Values.truthy(subject) : JinjaTests.apply(r, test, subject, testArgs);
            if (ok == keep) {
                out.add(x);
            }
        }
        return new PyGenerator("select_or_reject", out);
    }

    private static Object map(Renderer r, Object v, Args a) {
        List<Object> out = new ArrayList<>();
        if (a.keywords().containsKey("attribute")) {
            String attr = s(a.keywords().get("attribute"));
            Object dflt = a.keywords().get("default");
            for (Object x : sequence(v)) {
                Object y = attribute(x, attr);
                out.add(y instanceof Undefined && a.keywords().containsKey("default") ? dflt : y);
            }
            return new PyGenerator("sync_do_map", out);
        }
        if (a.positional().isEmpty()) {
            throw new EvalError("map requires a filter argument");
        }
        String filter = s(a.positional().get(0));
        Args rest = new Args(filter, new ArrayList<>(a.positional().subList(1, a.positional().size())), a.keywords());
        for (Object x : sequence(v)) {
            out.add(apply(r, filter, x, rest));
        }
        return new PyGenerator("sync_do_map", out);
    }

    /**
     * The items select, reject and map go through: Jinja's {@code if seq: for item in seq}, so a
     * falsy value (none, false, 0, an empty string) yields nothing instead of failing.
     */
    private static List<Object> sequence(Object v) {
        return Values.truthy(v) ? Values.iterate(v) : List.of();
    }

    private static Object toInt(Renderer r, Object v, Args a) {
        if (v instanceof Undefined u) {
            throw u.fail();
        }
        Object dflt = a.get(0, "default", 0L);
        int base = (int) Values.toLong(a.get(1, "base", 10L));
        try {
            return switch (v) {
                case null -> dflt;
                case Long l -> l;
                case Boolean b -> b ? 1L : 0L;
                case Double d -> (long) d.doubleValue();
                case String str -> {
                    String t = str.strip().replace("_", "").toLowerCase(Locale.ROOT);
                    boolean negative = t.startsWith("-");
                    String unsigned = negative || t.startsWith("+") ? t.substring(1) : t;
                    String prefix = base == 16 || base == 0 ? "0x" : base == 8 ? "0o" : base == 2 ? "0b" : null;
                    if (base == 0) {
                        prefix = unsigned.startsWith("0x") ? "0x" : unsigned.startsWith("0o") ? "0o"
                                : unsigned.startsWith("0b") ? "0b" : null;
                        base = prefix == null ? 10 : prefix.equals("0x") ? 16 : prefix.equals("0o") ? 8 : 2;
                    }
                    if (prefix != null && unsigned.startsWith(prefix)) {
                        t = (negative ? "-" : "") + unsigned.substring(2);
                    }
                    try {
                        yield Values.intResult(new java.math.BigInteger(t, base));
                    } catch (NumberFormatException e) {
                        yield (long) Double.parseDouble(t);
                    }
                }
                default -> dflt;
            };
        } catch (RuntimeException e) {
            return dflt;
        }
    }

    /**
     * Python's {@code getattr}, which {@code attr} uses: a dict, string or list has only its
     * methods as attributes ({@code {'a': 1}|attr('a')} is undefined), unlike {@code obj.name},
     * which falls back to the item.
     */
    private static Object pythonAttribute(Object v, String name) {
        if (v instanceof Map<?, ?> || v instanceof String || v instanceof List<?>) {
            return Methods.has(v, name) ? new BoundMethod(v, name)
                    : new Undefined("'" + Values.typeName(v) + "' object has no attribute '" + name + "'");
        }
        return Values.getAttr(v, name);
    }

    private static Object round(Renderer r, Object v, Args a) {
        int precision = (int) Values.toLong(a.get(0, "precision", 0L));
        String method = s(a.get(1, "method", "common"));
        if (method.equals("common") && Values.isInt(v)) {
            // Python's round() keeps an int an int (half-even to a multiple of 10**-precision);
            // only ceil and floor go through float arithmetic.
            return Values.intResult(new java.math.BigDecimal(Values.toBig(v))
                    .setScale(precision, java.math.RoundingMode.HALF_EVEN).toBigInteger());
        }
        double x = Values.toDouble(v);
        double scale = Math.pow(10, precision);
        double result = switch (method) {
            // Python's round(): half-even on the exact binary value (round(2.675, 2) == 2.67).
            case "common" -> Double.isFinite(x) ? Math.copySign(new java.math.BigDecimal(x)
                    .setScale(precision, java.math.RoundingMode.HALF_EVEN).doubleValue(), x) : x;
            case "ceil" -> Math.ceil(x * scale) / scale;
            case "floor" -> Math.floor(x * scale) / scale;
            default -> throw new EvalError("method must be common, ceil or floor");
        };
        return result;
    }

    static Comparator<Object> ordering(boolean caseSensitive) {
        return (x, y) -> {
            if (!caseSensitive && x instanceof String xs && y instanceof String ys) {
                return PyStrings.compare(xs.toLowerCase(Locale.ROOT), ys.toLowerCase(Locale.ROOT));
            }
            return Values.compare(x, y, "<");
        };
    }

    private static Object sort(Renderer r, Object v, Args a) {
        boolean reverse = Values.truthy(a.get(0, "reverse", false));
        boolean caseSensitive = Values.truthy(a.get(1, "case_sensitive", false));
        Object attr = a.get(2, "attribute", null);
        List<Object> items = Values.iterate(v);
        Comparator<Object> cmp = ordering(caseSensitive);
        Comparator<Object> byKey = attr == null ? cmp : (x, y) -> cmp.compare(attribute(x, s(attr)), attribute(y, s(attr)));
        items.sort(reverse ? byKey.reversed() : byKey);
        return items;
    }

    private static Object dictsort(Renderer r, Object v, Args a) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new EvalError("dictsort requires a mapping");
        }
        boolean caseSensitive = Values.truthy(a.get(0, "case_sensitive", false));
        boolean byValue = s(a.get(1, "by", "key")).equals("value");
        boolean reverse = Values.truthy(a.get(2, "reverse", false));
        List<Object> items = new ArrayList<>();
        m.forEach((k, x) -> items.add(PyTuple.of(k, x)));
        Comparator<Object> cmp = ordering(caseSensitive);
        Comparator<Object> byPart = (x, y) -> cmp.compare(((PyTuple) x).get(byValue ? 1 : 0), ((PyTuple) y).get(byValue ? 1 : 0));
        items.sort(reverse ? byPart.reversed() : byPart);
        return items;
    }

    private static Object unique(Renderer r, Object v, Args a) {
        boolean caseSensitive = Values.truthy(a.get(0, "case_sensitive", false));
        Object attr = a.get(1, "attribute", null);
        List<Object> seen = new ArrayList<>();
        List<Object> out = new ArrayList<>();
        for (Object x : Values.iterate(v)) {
            Object key = attr == null ? x : attribute(x, s(attr));
            if (!caseSensitive && key instanceof String ks) {
                key = ks.toLowerCase(Locale.ROOT);
            }
            boolean dup = false;
            for (Object k : seen) {
                if (Values.eq(k, key)) {
                    dup = true;
                    break;
                }
            }
            if (!dup) {
                seen.add(key);
                out.add(x);
            }
        }
        return out;
    }

    private static Object minMax(Object v, Args a, boolean max) {
        boolean caseSensitive = Values.truthy(a.get(0, "case_sensitive", false));
        Object attr = a.get(1, "attribute", null);
        List<Object> items = Values.iterate(v);
        if (items.isEmpty()) {
            return new Undefined("No aggregated item, sequence was empty.");
        }
        Comparator<Object> cmp = ordering(caseSensitive);
        Object best = items.get(0);
        for (Object x : items) {
            Object kx = attr == null ? x : attribute(x, s(attr));
            Object kb = attr == null ? best : attribute(best, s(attr));
            int c = cmp.compare(kx, kb);
            if (max ? c > 0 : c < 0) {
                best = x;
            }
        }
        return best;
    }

    private static Object indent(Renderer r, Object v, Args a) {
        if (v instanceof Undefined u) {
            throw u.fail();
        }
        Object width = a.get(0, "width", 4L);
        String pad = width instanceof String w ? w : (String) Values.mul(" ", width);
        boolean first = Values.truthy(a.get(1, "first", false));
        boolean blank = Values.truthy(a.get(2, "blank", false));
        // Jinja appends "\n" and then uses str.splitlines(), which drops that final empty line.
        @SuppressWarnings("unchecked")
        List<Object> lines = (List<Object>) Methods.call(s(v) + "\n", "splitlines", List.of(), Map.of());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String line = (String) lines.get(i);
            if (i > 0) {
                sb.append('\n');
                if (blank || !line.isEmpty()) {
                    sb.append(pad);
                }
            }
            sb.append(line);
        }
        return first ? pad + sb : sb.toString();
    }

    private static Object truncate(Renderer r, Object v, Args a) {
        String str = s(v);
        int length = (int) Values.toLong(a.get(0, "length", 255L));
        boolean killwords = Values.truthy(a.get(1, "killwords", false));
        String end = s(a.get(2, "end", "..."));
        int leeway = (int) Values.toLong(a.get(3, "leeway", 5L));
        int[] cps = PyStrings.codePoints(str);
        if (cps.length <= length + leeway) {
            return str;
        }
        int keep = Math.max(0, length - PyStrings.length(end));
        String head = PyStrings.fromCodePoints(cps, 0, keep);
        if (killwords) {
            return head + end;
        }
        int space = head.lastIndexOf(' ');
        return (space >= 0 ? head.substring(0, space) : head) + end;
    }

    private static Object batch(Renderer r, Object v, Args a) {
        int size = (int) Values.toLong(a.required(0, "linecount"));
        Object fill = a.get(1, "fill_with", null);
        boolean hasFill = a.has(1, "fill_with");
        List<Object> out = new ArrayList<>();
        List<Object> current = new ArrayList<>();
        for (Object x : Values.iterate(v)) {
            current.add(x);
            if (current.size() == size) {
                out.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            while (hasFill && current.size() < size) {
                current.add(fill);
            }
            out.add(current);
        }
        return out;
    }
}
