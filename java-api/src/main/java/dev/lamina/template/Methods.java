package dev.lamina.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Python methods callable on template values ({@code content.strip()}, {@code message.get('x')},
 * {@code tool.items()}). Methods that would mutate a value are refused, as Hugging Face's
 * immutable sandbox refuses them.
 */
final class Methods {
    private Methods() {}

    private static final Set<String> STR = Set.of("strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
            "startswith", "endswith", "upper", "lower", "title", "capitalize", "replace", "find", "rfind", "index",
            "rindex", "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "isnumeric",
            "isdecimal", "zfill", "format", "removeprefix", "removesuffix", "partition", "rpartition", "swapcase",
            "casefold", "center", "ljust", "rjust", "expandtabs", "encode", "istitle", "isidentifier");
    private static final Set<String> DICT = Set.of("get", "items", "keys", "values", "copy", "update", "pop",
            "popitem", "setdefault", "clear");
    private static final Set<String> LIST = Set.of("index", "count", "copy", "append", "extend", "insert", "pop",
            "remove", "reverse", "sort", "clear");
    private static final Set<String> UNSAFE = Set.of("update", "pop", "popitem", "setdefault", "clear", "append",
            "extend", "insert", "remove", "reverse", "sort");

    static boolean has(Object self, String name) {
        return switch (self) {
            case null -> false;
            case String s -> STR.contains(name);
            case Map<?, ?> m -> DICT.contains(name);
            case List<?> l -> l instanceof PyTuple ? name.equals("index") || name.equals("count") : LIST.contains(name);
            default -> false;
        };
    }

    static Object call(Object self, String name, List<Object> args, Map<String, Object> kwargs) {
        if (UNSAFE.contains(name) && !(self instanceof String)) {
            throw new EvalError("access to attribute '" + name + "' of '" + Values.typeName(self)
                    + "' object is unsafe.");
        }
        Args a = new Args(name, args, kwargs);
        return switch (self) {
            case null -> throw new EvalError("'NoneType' object has no method '" + name + "'");
            case String s -> callStr(s, name, a);
            case Map<?, ?> m -> callDict(m, name, a);
            case List<?> l -> callList(l, name, a);
            case LoopInfo l -> name.equals("cycle") ? l.cycle(args) : l.changed(args);
            default -> throw new EvalError("'" + Values.typeName(self) + "' object has no method '" + name + "'");
        };
    }

    private static Object callDict(Map<?, ?> m, String name, Args a) {
        return switch (name) {
            case "get" -> {
                Object key = a.required(0, "key");
                Object v = Values.getItemOrNull(m, key);
                yield v == Values.MISSING ? a.get(1, "default", null) : v;
            }
            case "items" -> {
                List<Object> out = new ArrayList<>();
                m.forEach((k, v) -> out.add(PyTuple.of(k, v)));
                yield out;
            }
            case "keys" -> new ArrayList<Object>(m.keySet());
            case "values" -> new ArrayList<Object>(m.values());
            case "copy" -> new java.util.LinkedHashMap<Object, Object>(m);
            default -> throw new EvalError("dict has no method '" + name + "'");
        };
    }

    private static Object callList(List<?> l, String name, Args a) {
        Object x = a.required(0, "value");
        return switch (name) {
            case "count" -> {
                long n = 0;
                for (Object o : l) {
                    if (Values.eq(o, x)) {
                        n++;
                    }
                }
                yield n;
            }
            case "index" -> {
                for (int i = 0; i < l.size(); i++) {
                    if (Values.eq(l.get(i), x)) {
                        yield (long) i;
                    }
                }
                throw new EvalError(Values.repr(x) + " is not in list");
            }
            case "copy" -> new ArrayList<Object>(l);
            default -> throw new EvalError("list has no method '" + name + "'");
        };
    }

    private static String optString(Args a, int i, String name) {
        Object v = a.get(i, name, null);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        throw new EvalError(a.function() + "() argument must be str or None, not " + Values.typeName(v));
    }

    private static String reqString(Args a, int i, String name) {
        Object v = a.required(i, name);
        if (v instanceof String s) {
            return s;
        }
        throw new EvalError(a.function() + "() argument must be str, not " + Values.typeName(v));
    }

    private static Object callStr(String s, String name, Args a) {
        return switch (name) {
            case "strip" -> PyStrings.strip(s, optString(a, 0, "chars"), true, true);
            case "lstrip" -> PyStrings.strip(s, optString(a, 0, "chars"), true, false);
            case "rstrip" -> PyStrings.strip(s, optString(a, 0, "chars"), false, true);
            case "split" -> PyStrings.split(s, optString(a, 0, "sep"), (int) Values.toLong(a.get(1, "maxsplit", -1L)));
            case "rsplit" -> PyStrings.rsplit(s, optString(a, 0, "sep"), (int) Values.toLong(a.get(1, "maxsplit", -1L)));
            case "splitlines" -> {
                boolean keep = Values.truthy(a.get(0, "keepends", false));
                List<Object> out = new ArrayList<>();
                int start = 0;
                int i = 0;
                while (i < s.length()) {
                    char c = s.charAt(i);
                    int eol = -1;
                    if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                        eol = 2;
                    } else if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d
                            || c == 0x1e || c == 0x85 || c == 0x2028 || c == 0x2029) {
                        eol = 1;
                    }
                    if (eol > 0) {
                        out.add(s.substring(start, keep ? i + eol : i));
                        i += eol;
                        start = i;
                    } else {
                        i++;
                    }
                }
                if (start < s.length()) {
                    out.add(s.substring(start));
                }
                yield out;
            }
            case "startswith", "endswith" -> {
                Object prefix = a.required(0, "prefix");
                List<Object> options = prefix instanceof PyTuple t ? t : List.of(prefix);
                boolean found = false;
                for (Object p : options) {
                    if (!(p instanceof String ps)) {
                        throw new EvalError(name + " first arg must be str or a tuple of str, not "
                                + Values.typeName(p));
                    }
                    if (name.equals("startswith") ? s.startsWith(ps) : s.endsWith(ps)) {
                        found = true;
                    }
                }
                yield found;
            }
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "casefold" -> s.toLowerCase(Locale.ROOT);
            case "swapcase" -> {
                StringBuilder sb = new StringBuilder();
                s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isUpperCase(cp)
                        ? Character.toLowerCase(cp) : Character.toUpperCase(cp)));
                yield sb.toString();
            }
            case "title" -> PyStrings.title(s);
            case "capitalize" -> PyStrings.capitalize(s);
            case "replace" -> PyStrings.replace(s, reqString(a, 0, "old"), reqString(a, 1, "new"),
                    Values.toLong(a.get(2, "count", -1L)));
            case "find", "index" -> {
                int at = s.indexOf(reqString(a, 0, "sub"));
                if (at < 0 && name.equals("index")) {
                    throw new EvalError("substring not found");
                }
                yield at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "rfind", "rindex" -> {
                int at = s.lastIndexOf(reqString(a, 0, "sub"));
                if (at < 0 && name.equals("rindex")) {
                    throw new EvalError("substring not found");
                }
                yield at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "count" -> {
                String sub = reqString(a, 0, "sub");
                if (sub.isEmpty()) {
                    yield (long) PyStrings.length(s) + 1;
                }
                long n = 0;
                for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
                    n++;
                }
                yield n;
            }
            case "join" -> {
                StringBuilder sb = new StringBuilder();
                List<Object> items = Values.iterate(a.required(0, "iterable"));
                for (int i = 0; i < items.size(); i++) {
                    if (!(items.get(i) instanceof String item)) {
                        throw new EvalError("sequence item " + i + ": expected str instance, "
                                + Values.typeName(items.get(i)) + " found");
                    }
                    sb.append(i > 0 ? s : "").append(item);
                    RenderBudget.checkBuild(sb.length());
                }
                yield sb.toString();
            }
            case "isdigit", "isnumeric", "isdecimal" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> !s.isEmpty() && s.codePoints().allMatch(PyStrings::isSpace);
            case "isupper" -> s.codePoints().anyMatch(Character::isUpperCase)
                    && s.codePoints().noneMatch(Character::isLowerCase);
            case "islower" -> s.codePoints().anyMatch(Character::isLowerCase)
                    && s.codePoints().noneMatch(Character::isUpperCase);
            case "istitle" -> !s.isEmpty() && PyStrings.title(s).equals(s) && s.codePoints().anyMatch(Character::isLetter);
            case "isidentifier" -> !s.isEmpty() && Character.isJavaIdentifierStart(s.codePointAt(0))
                    && s.codePoints().allMatch(cp -> Character.isLetterOrDigit(cp) || cp == '_') && s.indexOf('$') < 0;
            case "zfill" -> {
                long requested = Values.toLong(a.required(0, "width"));
                RenderBudget.checkBuild(requested);
                int width = (int) requested;
                int len = PyStrings.length(s);
                if (len >= width) {
                    yield s;
                }
                String pad = "0".repeat(width - len);
                yield !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')
                        ? s.charAt(0) + pad + s.substring(1) : pad + s;
            }
            case "center", "ljust", "rjust" -> {
                long requested = Values.toLong(a.required(0, "width"));
                RenderBudget.checkBuild(requested);
                int width = (int) requested;
                String fill = a.get(1, "fillchar", " ").toString();
                int len = PyStrings.length(s);
                if (len >= width) {
                    yield s;
                }
                int total = width - len;
                int left = switch (name) {
                    case "ljust" -> 0;
                    case "rjust" -> total;
                    default -> total / 2 + (total & width & 1);
                };
                yield fill.repeat(left) + s + fill.repeat(total - left);
            }
            case "removeprefix" -> {
                String p = reqString(a, 0, "prefix");
                yield s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix" -> {
                String p = reqString(a, 0, "suffix");
                yield !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
            }
            case "partition", "rpartition" -> {
                String sep = reqString(a, 0, "sep");
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    yield name.equals("partition") ? PyTuple.of(s, "", "") : PyTuple.of("", "", s);
                }
                yield PyTuple.of(s.substring(0, at), sep, s.substring(at + sep.length()));
            }
            case "expandtabs" -> {
                int tab = (int) Values.toLong(a.get(0, "tabsize", 8L));
                StringBuilder sb = new StringBuilder();
                int column = 0;
                for (int cp : PyStrings.codePoints(s)) {
                    if (cp == '\t') {
                        int spaces = tab > 0 ? tab - column % tab : 0;
                        sb.append(" ".repeat(spaces));
                        column += spaces;
                    } else {
                        sb.appendCodePoint(cp);
                        column = cp == '\n' || cp == '\r' ? 0 : column + 1;
                    }
                }
                yield sb.toString();
            }
            case "format" -> BraceFormat.format(s, a.positional(), a.keywords());
            default -> throw new EvalError("'str' object has no method '" + name + "'");
        };
    }
}
