package dev.lamina.template;

import java.util.ArrayList;
import java.util.List;

/**
 * What jinja2's {@code map}, {@code select}, {@code reject}, {@code selectattr} and
 * {@code rejectattr} return: a generator, not a list. It is always truthy (even when empty), has
 * no length, is not a sequence, cannot be serialised by {@code tojson}, and yields its items once;
 * {@code |list} makes a list of it. The items are computed eagerly, only the observable
 * behaviour is Python's.
 */
final class PyGenerator {
    private final String function;
    private List<Object> items;

    /** @param function the Python function whose generator this is, for its repr */
    PyGenerator(String function, List<Object> items) {
        this.function = function;
        this.items = items;
    }

    /** The remaining items; a generator is exhausted after one pass. */
    List<Object> consume() {
        List<Object> out = items;
        items = new ArrayList<>();
        return out;
    }

    String repr() {
        return "<generator object " + function + ">";
    }
}
