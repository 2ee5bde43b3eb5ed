package dev.lamina.template;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Jinja's built-in tests ({@code x is defined}, {@code x is equalto y}, ...), by name. */
final class JinjaTests {
    private JinjaTests() {}

    @FunctionalInterface
    interface Test {
        boolean test(Renderer r, Object value, List<Object> args);
    }

    private static final Map<String, Test> TESTS = new HashMap<>();

    static boolean exists(String name) {
        return TESTS.containsKey(name);
    }

    static boolean apply(Renderer r, String name, Object value, List<Object> args) {
        Test t = TESTS.get(name);
        if (t == null) {
            throw new EvalError("No test named '" + name + "' found.");
        }
        r.budget().tick();
        return t.test(r, value, args);
    }

    private static void define(Test t, String... names) {
        for (String n : names) {
            TESTS.put(n, t);
        }
    }

    private static Object arg(List<Object> args, String test) {
        if (args.isEmpty()) {
            throw new EvalError("test '" + test + "' needs an argument");
        }
        return args.get(0);
    }

    static {
        define((r, v, a) -> !(v instanceof Undefined), "defined");
        define((r, v, a) -> v instanceof Undefined, "undefined");
        define((r, v, a) -> v == null, "none");
        define((r, v, a) -> v instanceof Boolean, "boolean");
        define((r, v, a) -> Boolean.TRUE.equals(v), "true");
        define((r, v, a) -> Boolean.FALSE.equals(v), "false");
        define((r, v, a) -> v instanceof String, "string");
        define((r, v, a) -> v instanceof Map<?, ?>, "mapping");
        define((r, v, a) -> Values.isIterable(v), "iterable");
        define((r, v, a) -> v instanceof String || v instanceof Collection<?> || v instanceof Map<?, ?>
                || v instanceof Undefined, "sequence");
        define((r, v, a) -> Values.isNumber(v), "number");
        define((r, v, a) -> Values.isInt(v) && !(v instanceof Boolean), "integer");
        define((r, v, a) -> v instanceof Double, "float");
        define((r, v, a) -> v instanceof JinjaCallable, "callable");
        define((r, v, a) -> Values.toLong(v) % 2 != 0, "odd");
        define((r, v, a) -> Values.toLong(v) % 2 == 0, "even");
        define((r, v, a) -> Values.toLong(v) % Values.toLong(arg(a, "divisibleby")) == 0, "divisibleby");
        define((r, v, a) -> Values.eq(v, arg(a, "eq")), "eq", "equalto", "==");
        define((r, v, a) -> !Values.eq(v, arg(a, "ne")), "ne", "!=");
        define((r, v, a) -> Values.compare(v, arg(a, "lt"), "<") < 0, "lt", "lessthan", "<");
        define((r, v, a) -> Values.compare(v, arg(a, "le"), "<=") <= 0, "le", "<=");
        define((r, v, a) -> Values.compare(v, arg(a, "gt"), ">") > 0, "gt", "greaterthan", ">");
        define((r, v, a) -> Values.compare(v, arg(a, "ge"), ">=") >= 0, "ge", ">=");
        define((r, v, a) -> Values.contains(arg(a, "in"), v), "in");
        define((r, v, a) -> v == arg(a, "sameas") || (v != null && Values.isNumber(v) && Values.eq(v, a.get(0))
                && v.getClass() == a.get(0).getClass() && !(v instanceof Double)), "sameas");
        define((r, v, a) -> {
            String s = Values.str(v);
            return s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
        }, "lower");
        define((r, v, a) -> {
            String s = Values.str(v);
            return s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
        }, "upper");
        define((r, v, a) -> Filters.exists(Values.str(v)), "filter");
        define((r, v, a) -> exists(Values.str(v)), "test");
        define((r, v, a) -> r.markup().isMarkup(v), "escaped");
    }
}
