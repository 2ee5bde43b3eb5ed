package dev.lamina.template;

import java.util.List;

/** The {@code loop} variable of a for loop. */
final class LoopInfo {
    final List<Object> items;
    int index0;
    private List<Object> lastChanged;

    LoopInfo(List<Object> items) {
        this.items = items;
    }

    Object attribute(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index0 + 1;
            case "index0" -> (long) index0;
            case "revindex" -> (long) (n - index0);
            case "revindex0" -> (long) (n - index0 - 1);
            case "first" -> index0 == 0;
            case "last" -> index0 == n - 1;
            case "length" -> (long) n;
            case "depth" -> 1L;
            case "depth0" -> 0L;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : new Undefined("there is no previous item");
            case "nextitem" -> index0 < n - 1 ? items.get(index0 + 1) : new Undefined("there is no next item");
            case "cycle", "changed" -> new BoundMethod(this, name);
            default -> new Undefined("'LoopContext' object has no attribute '" + name + "'");
        };
    }

    Object cycle(List<Object> args) {
        if (args.isEmpty()) {
            throw new EvalError("no items for cycling given");
        }
        return args.get(index0 % args.size());
    }

    boolean changed(List<Object> args) {
        if (lastChanged != null && Values.eq(new PyTuple(lastChanged), new PyTuple(args))) {
            return false;
        }
        lastChanged = new java.util.ArrayList<>(args);
        return true;
    }
}
