package dev.lamina.template;

import java.util.List;
import java.util.Map;

/** The arguments of one call to a filter, test, method or global, read Python-style. */
record Args(String function, List<Object> positional, Map<String, Object> keywords) {
    /** Argument {@code index} by position, else by keyword {@code name}, else {@code dflt}. */
    Object get(int index, String name, Object dflt) {
        if (index >= 0 && index < positional.size()) {
            return positional.get(index);
        }
        if (keywords.containsKey(name)) {
            return keywords.get(name);
        }
        return dflt;
    }

    Object required(int index, String name) {
        if (index >= 0 && index < positional.size()) {
            return positional.get(index);
        }
        if (keywords.containsKey(name)) {
            return keywords.get(name);
        }
        throw new EvalError(function + "() missing required argument '" + name + "'");
    }

    boolean has(int index, String name) {
        return index < positional.size() || keywords.containsKey(name);
    }

    int size() {
        return positional.size();
    }
}
