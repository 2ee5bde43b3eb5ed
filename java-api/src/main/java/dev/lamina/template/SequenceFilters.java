package dev.lamina.template;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Jinja's {@code groupby} and {@code slice}: filters that regroup a sequence. */
final class SequenceFilters {
    private SequenceFilters() {}

    private static final List<String> GROUP_FIELDS = List.of("grouper", "list");

    static void register() {
        Filters.define(SequenceFilters::groupby, "groupby");
        Filters.define(SequenceFilters::slice, "slice");
    }

    /**
     * Sorts by the attribute and groups equal keys into {@code (grouper, list)} named tuples.
     * Unless case_sensitive, string keys compare lowercased but each group reports the key as
     * its first item spells it.
     */
    private static Object groupby(Renderer r, Object v, Args a) {
        String attr = Values.str(a.required(0, "attribute"));
        Object dflt = a.get(1, "default", null);
        boolean caseSensitive = Values.truthy(a.get(2, "case_sensitive", false));
        List<Object> items = new ArrayList<>(Values.iterate(v));
        List<Object> keys = new ArrayList<>(items.size());
        for (Object x : items) {
            Object key = Filters.attribute(x, attr);
            keys.add(key instanceof Undefined && dflt != null ? dflt : key);
        }
        Integer[] order = new Integer[items.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Comparator<Object> cmp = Filters.ordering(true);
        java.util.Arrays.sort(order, (x, y) -> cmp.compare(fold(keys.get(x), caseSensitive),
                fold(keys.get(y), caseSensitive)));
        List<Object> groups = new ArrayList<>();
        List<Object> current = null;
        Object currentKey = null;
        for (int i : order) {
            Object key = fold(keys.get(i), caseSensitive);
            if (current == null || !Values.eq(key, currentKey)) {
                current = new ArrayList<>();
                currentKey = key;
                groups.add(current);
            }
            current.add(i);
        }
        List<Object> out = new ArrayList<>(groups.size());
        for (Object g : groups) {
            List<Object> members = new ArrayList<>();
            for (Object i : (List<?>) g) {
                members.add(items.get((Integer) i));
            }
            out.add(PyTuple.named(GROUP_FIELDS, keys.get((Integer) ((List<?>) g).get(0)), members));
        }
        return out;
    }

    private static Object fold(Object key, boolean caseSensitive) {
        return !caseSensitive && key instanceof String s ? s.toLowerCase(Locale.ROOT) : key;
    }

    /** Splits into {@code slices} columns, the first ones one item longer; fill_with pads the short ones. */
    private static Object slice(Renderer r, Object v, Args a) {
        List<Object> seq = Values.iterate(v);
        long slices = Values.toLong(a.required(0, "slices"));
        if (slices <= 0) {
            throw new EvalError("ZeroDivisionError: integer division or modulo by zero");
        }
        RenderBudget.checkBuild(slices);
        Object fill = a.get(1, "fill_with", null);
        int length = seq.size();
        int perSlice = (int) (length / slices);
        int withExtra = (int) (length % slices);
        List<Object> out = new ArrayList<>();
        int offset = 0;
        for (int n = 0; n < slices; n++) {
            int start = offset + n * perSlice;
            if (n < withExtra) {
                offset++;
            }
            int end = offset + (n + 1) * perSlice;
            List<Object> column = new ArrayList<>(seq.subList(start, end));
            if (fill != null && n >= withExtra) {
                column.add(fill);
            }
            out.add(column);
        }
        return out;
    }
}
