package dev.lamina.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The strings of one render that are jinja2 {@code Markup} ({@code |safe}, {@code |escape}):
 * markup renders as it is, but a plain string combined with it by {@code +}, {@code %} or
 * {@code format} is HTML-escaped first (functionary's tool prompt relies on this), while
 * {@code ~} and {@code join} give plain strings.
 *
 * <p>Markup is kept as the string instance itself, remembered by identity, so that every other
 * operation treats it as the string it is, as Python does with the str subclass.
 */
final class MarkupStrings {
    private final Set<String> marked = Collections.newSetFromMap(new IdentityHashMap<>());

    /** {@code text} as markup: a fresh instance, so equal plain strings stay plain. */
    @SuppressWarnings("StringOperationCanBeSimplified")
    String mark(String text) {
        String m = new String(text);
        marked.add(m);
        return m;
    }

    boolean isMarkup(Object v) {
        return v instanceof String s && marked.contains(s);
    }

    /** jinja2's {@code escape}: markup as it is, anything else escaped into markup. */
    String escape(Object v) {
        return isMarkup(v) ? (String) v : mark(Filters.escape(Values.str(v)));
    }

    private Object escapeOperand(Object v) {
        return v instanceof String && !isMarkup(v) ? Filters.escape((String) v) : v;
    }

    /** {@code a + b} when either is markup and both are strings (markup), else null. */
    String add(Object a, Object b) {
        if ((isMarkup(a) || isMarkup(b)) && a instanceof String && b instanceof String) {
            return mark(escapeOperand(a) + (String) escapeOperand(b));
        }
        return null;
    }

    /** {@code markup % args}: the arguments escaped, the result markup. */
    String percentFormat(String markup, Object args) {
        return mark((String) Values.mod(markup, escapeFormatArgs(args)));
    }

    private Object escapeFormatArgs(Object args) {
        if (args instanceof PyTuple t) {
            return new PyTuple(escapeAll(t));
        }
        if (args instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, escapeOperand(v)));
            return out;
        }
        return escapeOperand(args);
    }

    List<Object> escapeAll(List<?> values) {
        List<Object> out = new ArrayList<>(values.size());
        for (Object v : values) {
            out.add(escapeOperand(v));
        }
        return out;
    }

    Map<String, Object> escapeAll(Map<String, Object> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, escapeOperand(v)));
        return out;
    }
}
