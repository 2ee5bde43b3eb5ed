package dev.lamina.template;

import java.util.AbstractList;
import java.util.List;

/**
 * An immutable Python tuple: behaves as a list everywhere except in repr and equality. A named
 * tuple (groupby's {@code (grouper, list)}) also has its fields as attributes.
 */
final class PyTuple extends AbstractList<Object> {
    private final Object[] items;
    private final List<String> fieldNames;

    PyTuple(List<?> items) {
        this(items, List.of());
    }

    private PyTuple(List<?> items, List<String> fieldNames) {
        this.items = items.toArray();
        this.fieldNames = fieldNames;
    }

    static PyTuple named(List<String> fieldNames, Object... items) {
        return new PyTuple(java.util.Arrays.asList(items), List.copyOf(fieldNames));
    }

    /** The named field, or {@link Values#MISSING}. */
    Object field(String name) {
        int i = fieldNames.indexOf(name);
        return i < 0 ? Values.MISSING : items[i];
    }

    static PyTuple of(Object... items) {
        return new PyTuple(java.util.Arrays.asList(items));
    }

    @Override
    public Object get(int index) {
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }
}
