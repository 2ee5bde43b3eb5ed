package dev.lamina.template;

import java.util.HashMap;
import java.util.Map;

/** Variables of one frame (template, loop iteration, macro call), falling back to the enclosing frame. */
final class Scope {
    private final Scope parent;
    private final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Object lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Object v = s.vars.get(name);
            if (v != null || s.vars.containsKey(name)) {
                return v;
            }
        }
        return Undefined.name(name);
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }

    void setAll(Map<String, Object> values) {
        vars.putAll(values);
    }
}
