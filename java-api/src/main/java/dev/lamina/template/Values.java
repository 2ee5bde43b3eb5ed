package dev.lamina.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python semantics of template values. Values are {@code null} (None), {@code Boolean},
 * {@code Long} (int), {@code Double} (float), {@code String}, {@code List} (list; {@link PyTuple}
 * for tuples), {@code Map} (dict, insertion-ordered), {@link Undefined}, {@link Namespace},
 * {@link LoopInfo} and {@link JinjaCallable}s.
 */
final class Values {
    private Values() {}

    // ---- conversion from Java -------------------------------------------------------------

    /** Converts a caller's Java value (any number type, arrays, records of maps...) to a template value. */
    static Object fromJava(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case Double d -> d;
            case Float f -> (double) f;
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
            case BigDecimal b -> b.doubleValue();
            case Character c -> c.toString();
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, val) -> out.put(fromJava(k), fromJava(val)));
                yield out;
            }
            case Collection<?> c -> {
                List<Object> out = new ArrayList<>(c.size());
                c.forEach(x -> out.add(fromJava(x)));
                yield out;
            }
            case Object[] a -> fromJava(List.of(a));
            case ChatMessage m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                out.put("role", m.role());
                out.put("content", m.content());
                m.extra().forEach((k, val) -> out.put(k, fromJava(val)));
                yield out;
            }
            default -> throw new IllegalArgumentException(
                    "template variables must be strings, numbers, booleans, null, lists or maps, not "
                            + v.getClass().getName());
        };
    }

    // ---- type tests -----------------------------------------------------------------------

    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof Boolean || v instanceof BigInteger;
    }

    static boolean isNumber(Object v) {
        return isInt(v) || v instanceof Double;
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case String s -> "str";
            case Boolean b -> "bool";
            case Long l -> "int";
            case BigInteger b -> "int";
            case Double d -> "float";
            case PyTuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case LoopInfo l -> "LoopContext";
            case PyGenerator g -> "generator";
            case BoundMethod m -> "builtin_function_or_method";
            default -> "function";
        };
    }

    /** Jinja's {@code object_type_repr}, used in "has no attribute" messages. */
    static String objectTypeRepr(Object v) {
        if (v == null) {
            return "'None'";
        }
        return "'" + typeName(v) + " object'";
    }

    // ---- truthiness, str, repr ------------------------------------------------------------

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case BigInteger b -> b.signum() != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    /** Python's {@code str()}, which is what {@code {{ x }}} prints. */
    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Undefined u -> "";
            default -> repr(v);
        };
    }

    static String repr(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> PyStrings.repr(s);
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case BigInteger b -> b.toString();
            case Double d -> floatRepr(d);
            case PyTuple t -> {
                StringBuilder sb = new StringBuilder("(");
                for (int i = 0; i < t.size(); i++) {
                    sb.append(i > 0 ? ", " : "").append(repr(t.get(i)));
                }
                yield sb.append(t.size() == 1 ? ",)" : ")").toString();
            }
            case List<?> l -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i > 0 ? ", " : "").append(repr(l.get(i)));
                }
                yield sb.append("]").toString();
            }
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("{");
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                    first = false;
                }
                yield sb.append("}").toString();
            }
            case Undefined u -> "Undefined";
            case Namespace n -> "<Namespace " + repr(n.attrs) + ">";
            case LoopInfo l -> "<LoopContext " + (l.index0 + 1) + "/" + l.items.size() + ">";
            case PyGenerator g -> g.repr();
            case BoundMethod m -> "<built-in method " + m.name() + " of " + typeName(m.self()) + " object>";
            case Macro m -> "<Macro '" + m.name() + "'>";
            default -> "<function>";
        };
    }

    /** Python's float repr: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        // Double.toString gives the shortest round-trip digits (JDK 19+); only the layout differs.
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        if (bd.precision() == 2) {
            // Java keeps two digits where one already round-trips (4.9E-324 vs Python's 5e-324).
            BigDecimal one = bd.round(new java.math.MathContext(1, java.math.RoundingMode.HALF_EVEN));
            if (Double.parseDouble(one.toString()) == Math.abs(d)) {
                bd = one.stripTrailingZeros();
            }
        }
        String digits = bd.unscaledValue().toString();
        int exponent = digits.length() - 1 - bd.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = bd.toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String exp = String.format("%02d", Math.abs(exponent));
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
    }

    // ---- equality and ordering ------------------------------------------------------------

    static boolean eq(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return toBig(a).equals(toBig(b));
            }
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof String s && b instanceof String t) {
            return s.equals(t);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if ((a instanceof PyTuple) != (b instanceof PyTuple) || x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Undefined && b instanceof Undefined) {
            return true;
        }
        return a == b || a.equals(b);
    }

    /** Python ordering ({@code <} and friends); a TypeError for unorderable operands. */
    static int compare(Object a, Object b, String op) {
        if (a instanceof Undefined u) {
            throw u.fail();
        }
        if (b instanceof Undefined u) {
            throw u.fail();
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return toBig(a).compareTo(toBig(b));
            }
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String s && b instanceof String t) {
            return PyStrings.compare(s, t);
        }
        if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof PyTuple) == (b instanceof PyTuple)) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i), op);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        throw new EvalError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    // ---- numbers --------------------------------------------------------------------------

    static long toLong(Object v) {
        return switch (v) {
            case null -> throw new EvalError("expected an integer, got 'NoneType'");
            case Long l -> l;
            case Boolean b -> b ? 1 : 0;
            case BigInteger b -> {
                if (b.bitLength() > 63) {
                    throw new EvalError("OverflowError: Python int too large to convert to C ssize_t");
                }
                yield b.longValue();
            }
            default -> throw new EvalError("expected an integer, got '" + typeName(v) + "'");
        };
    }

    static BigInteger toBig(Object v) {
        return v instanceof BigInteger b ? b : BigInteger.valueOf(toLong(v));
    }

    static double toDouble(Object v) {
        return switch (v) {
            case null -> throw new EvalError("expected a number, got 'NoneType'");
            case Double d -> d;
            case Long l -> l;
            case Boolean b -> b ? 1 : 0;
            case BigInteger b -> b.doubleValue();
            default -> throw new EvalError("expected a number, got '" + typeName(v) + "'");
        };
    }

    /** A whole result as Long, or BigInteger past 64 bits (Python ints do not overflow). */
    static Object intResult(BigInteger b) {
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    private static EvalError unsupported(String op, Object a, Object b) {
        return new EvalError("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    private static void checkDefined(Object a, Object b) {
        if (a instanceof Undefined u) {
            throw u.fail();
        }
        if (b instanceof Undefined u) {
            throw u.fail();
        }
    }

    static Object add(Object a, Object b) {
        checkDefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return intResult(toBig(a).add(toBig(b)));
            }
            return toDouble(a) + toDouble(b);
        }
        if (a instanceof String s) {
            if (b instanceof String t) {
                return s + t;
            }
            throw new EvalError("can only concatenate str (not \"" + typeName(b) + "\") to str");
        }
        if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof PyTuple) == (b instanceof PyTuple)) {
            List<Object> out = new ArrayList<>(x);
            out.addAll(y);
            return a instanceof PyTuple ? new PyTuple(out) : out;
        }
        if (a instanceof List<?> && !(a instanceof PyTuple)) {
            throw new EvalError("can only concatenate list (not \"" + typeName(b) + "\") to list");
        }
        throw unsupported("+", a, b);
    }

    static Object sub(Object a, Object b) {
        checkDefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return intResult(toBig(a).subtract(toBig(b)));
            }
            return toDouble(a) - toDouble(b);
        }
        throw unsupported("-", a, b);
    }

    static Object mul(Object a, Object b) {
        checkDefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return intResult(toBig(a).multiply(toBig(b)));
            }
            return toDouble(a) * toDouble(b);
        }
        if (a instanceof String s && isInt(b)) {
            return repeat(s, toLong(b));
        }
        if (isInt(a) && b instanceof String s) {
            return repeat(s, toLong(a));
        }
        if (a instanceof List<?> l && isInt(b)) {
            RenderBudget.checkBuild(repeatedSize(l.size(), toLong(b)));
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < toLong(b); i++) {
                out.addAll(l);
            }
            return a instanceof PyTuple ? new PyTuple(out) : out;
        }
        throw unsupported("*", a, b);
    }

    private static String repeat(String s, long times) {
        RenderBudget.checkBuild(repeatedSize(s.length(), times));
        return s.repeat((int) Math.max(0, times));
    }

    /** The size of {@code size} units repeated {@code times} times, saturating instead of overflowing. */
    static long repeatedSize(long size, long times) {
        if (times <= 0 || size == 0) {
            return 0;
        }
        return size > Long.MAX_VALUE / times ? Long.MAX_VALUE : size * times;
    }

    static Object div(Object a, Object b) {
        checkDefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (toDouble(b) == 0) {
                throw new EvalError("division by zero");
            }
            return toDouble(a) / toDouble(b);
        }
        throw unsupported("/", a, b);
    }

    static Object floordiv(Object a, Object b) {
        checkDefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (toDouble(b) == 0) {
                throw new EvalError("integer division or modulo by zero");
            }
            if (isInt(a) && isInt(b)) {
                BigInteger[] qr = toBig(a).divideAndRemainder(toBig(b));
                BigInteger q = qr[0];
                if (qr[1].signum() != 0 && (qr[1].signum() != toBig(b).signum())) {
                    q = q.subtract(BigInteger.ONE);
                }
                return intResult(q);
            }
            return Math.floor(toDouble(a) / toDouble(b));
        }
        throw unsupported("//", a, b);
    }

    static Object mod(Object a, Object b) {
        checkDefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (toDouble(b) == 0) {
                throw new EvalError("integer division or modulo by zero");
            }
            if (isInt(a) && isInt(b)) {
                BigInteger m = toBig(a).mod(toBig(b).abs());
                if (toBig(b).signum() < 0 && m.signum() != 0) {
                    m = m.add(toBig(b));
                }
                return intResult(m);
            }
            double x = toDouble(a);
            double y = toDouble(b);
            double m = x % y;
            if (m != 0 && (m < 0) != (y < 0)) {
                m += y;
            }
            return m;
        }
        if (a instanceof String s) {
            return PercentFormat.format(s, b);
        }
        throw unsupported("%", a, b);
    }

    static Object pow(Object a, Object b) {
        checkDefined(a, b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b) && toLong(b) >= 0) {
                return intResult(toBig(a).pow((int) toLong(b)));
            }
            return Math.pow(toDouble(a), toDouble(b));
        }
        throw unsupported("** or pow()", a, b);
    }

    static Object negate(Object a) {
        if (a instanceof Undefined u) {
            throw u.fail();
        }
        if (isInt(a)) {
            return intResult(toBig(a).negate());
        }
        if (a instanceof Double d) {
            return -d;
        }
        throw new EvalError("bad operand type for unary -: '" + typeName(a) + "'");
    }

    // ---- containers -----------------------------------------------------------------------

    static long len(Object v) {
        return switch (v) {
            case null -> throw new EvalError("object of type 'NoneType' has no len()");
            case String s -> PyStrings.length(s);
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            case LoopInfo l -> l.items.size();
            default -> throw new EvalError("object of type '" + typeName(v) + "' has no len()");
        };
    }

    /** The items of {@code for x in v}: characters of a string, keys of a dict. */
    static List<Object> iterate(Object v) {
        return switch (v) {
            case null -> throw new EvalError("'NoneType' object is not iterable");
            case String s -> PyStrings.chars(s);
            case List<?> l -> new ArrayList<>(l);
            case Collection<?> c -> new ArrayList<>(c);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case Undefined u -> new ArrayList<>();
            case LoopInfo l -> new ArrayList<>(l.items);
            case PyGenerator g -> g.consume();
            default -> throw new EvalError("'" + typeName(v) + "' object is not iterable");
        };
    }

    static boolean isIterable(Object v) {
        return v instanceof String || v instanceof Collection<?> || v instanceof Map<?, ?>
                || v instanceof Undefined || v instanceof LoopInfo || v instanceof PyGenerator;
    }

    /** Python's {@code item in container}. */
    static boolean contains(Object container, Object item) {
        switch (container) {
            case null -> throw new EvalError("argument of type 'NoneType' is not iterable");
            case String s -> {
                if (item instanceof String t) {
                    return s.contains(t);
                }
                if (item instanceof Undefined u) {
                    throw u.fail();
                }
                throw new EvalError("'in <string>' requires string as left operand, not " + typeName(item));
            }
            case Collection<?> c -> {
                for (Object x : c) {
                    if (eq(x, item)) {
                        return true;
                    }
                }
                return false;
            }
            case Map<?, ?> m -> {
                for (Object k : m.keySet()) {
                    if (eq(k, item)) {
                        return true;
                    }
                }
                return false;
            }
            case Undefined u -> {
                return false;
            }
            case PyGenerator g -> {
                return contains(g.consume(), item);
            }
            default -> throw new EvalError("argument of type '" + typeName(container) + "' is not iterable");
        }
    }

    /** Marks a missing dict key (None is a valid value). */
    static final Object MISSING = new Object();

    /** {@code dict[key]} without Jinja's attribute fallback, or {@link #MISSING}. */
    static Object getItemOrNull(Map<?, ?> m, Object key) {
        if (key instanceof String && m.containsKey(key)) {
            return m.get(key);
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (eq(e.getKey(), key) && (e.getKey() instanceof String) == (key instanceof String)) {
                return e.getValue();
            }
        }
        return MISSING;
    }

    /** Jinja's {@code obj.name}: a Python attribute (method) first, then an item. */
    static Object getAttr(Object obj, String name) {
        if (obj == null) {
            return new Undefined("'None' has no attribute '" + name + "'");
        }
        switch (obj) {
            case Undefined u -> throw u.fail();
            case Map<?, ?> m -> {
                if (Methods.has(obj, name)) {
                    return new BoundMethod(obj, name);
                }
                if (m.containsKey(name)) {
                    return m.get(name);
                }
            }
            case Namespace n -> {
                if (n.attrs.containsKey(name)) {
                    return n.attrs.get(name);
                }
            }
            case LoopInfo l -> {
                return l.attribute(name);
            }
            case PyTuple t when t.field(name) != MISSING -> {
                return t.field(name);
            }
            default -> {
                if (Methods.has(obj, name)) {
                    return new BoundMethod(obj, name);
                }
            }
        }
        return new Undefined(objectTypeRepr(obj) + " has no attribute '" + name + "'");
    }

    /** Jinja's {@code obj[key]}: an item first, then (for a string key) an attribute. */
    static Object getItem(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw u.fail();
        }
        if (key instanceof Undefined u) {
            throw u.fail();
        }
        if (obj == null) {
            return new Undefined("'None' has no " + (key instanceof String ? "attribute " : "element ") + repr(key));
        }
        switch (obj) {
            case Map<?, ?> m -> {
                Object v = getItemOrNull(m, key);
                if (v != MISSING) {
                    return v;
                }
            }
            case List<?> l when isInt(key) -> {
                long i = toLong(key);
                if (i < 0) {
                    i += l.size();
                }
                if (i >= 0 && i < l.size()) {
                    return l.get((int) i);
                }
            }
            case String s when isInt(key) -> {
                int[] cps = PyStrings.codePoints(s);
                long i = toLong(key);
                if (i < 0) {
                    i += cps.length;
                }
                if (i >= 0 && i < cps.length) {
                    return Character.toString(cps[(int) i]);
                }
            }
            case Namespace n when key instanceof String k -> {
                return getAttr(n, k);
            }
            case LoopInfo l when key instanceof String k -> {
                return l.attribute(k);
            }
            default -> {}
        }
        if (key instanceof String name && Methods.has(obj, name)) {
            return new BoundMethod(obj, name);
        }
        return new Undefined(objectTypeRepr(obj) + (key instanceof String ? " has no attribute " : " has no element ")
                + repr(key));
    }

    /** Python slicing {@code obj[start:stop:step]} of a list, tuple or string. */
    static Object slice(Object obj, Object start, Object stop, Object step) {
        if (obj instanceof Undefined u) {
            throw u.fail();
        }
        long st = step == null ? 1 : toLong(step);
        if (st == 0) {
            throw new EvalError("slice step cannot be zero");
        }
        int[] cps = obj instanceof String s ? PyStrings.codePoints(s) : null;
        List<?> list = obj instanceof List<?> l ? l : null;
        if (cps == null && list == null) {
            return new Undefined(objectTypeRepr(obj) + " has no element slice");
        }
        int n = cps != null ? cps.length : list.size();
        long lo;
        long hi;
        if (st > 0) {
            lo = bound(start, n, 0, 0, n);
            hi = bound(stop, n, n, 0, n);
        } else {
            lo = bound(start, n, n - 1, -1, n - 1);
            hi = bound(stop, n, -1, -1, n - 1);
        }
        List<Integer> indexes = new ArrayList<>();
        if (st > 0) {
            for (long i = lo; i < hi; i += st) {
                indexes.add((int) i);
            }
        } else {
            for (long i = lo; i > hi; i += st) {
                indexes.add((int) i);
            }
        }
        if (cps != null) {
            StringBuilder sb = new StringBuilder();
            indexes.forEach(i -> sb.appendCodePoint(cps[i]));
            return sb.toString();
        }
        List<Object> out = new ArrayList<>();
        indexes.forEach(i -> out.add(list.get(i)));
        return obj instanceof PyTuple ? new PyTuple(out) : out;
    }

    private static long bound(Object v, int n, long dflt, long min, long max) {
        if (v == null) {
            return dflt;
        }
        long i = toLong(v);
        if (i < 0) {
            i += n;
        }
        return Math.max(min, Math.min(max, i));
    }

    /** Concatenation for {@code ~}: str() of both sides. */
    static String concat(Object a, Object b) {
        return str(a) + str(b);
    }
}
