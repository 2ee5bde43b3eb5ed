package dev.lamina.template;

import java.util.List;
import java.util.Map;

/** The {@code loop} variable of a for loop; calling it recurses when the loop is {@code recursive}. */
final class LoopInfo implements JinjaCallable {
    final List<Object> items;
    int index0;
    private final int depth0;
    private final Node.For recursiveLoop;
    private final Scope loopScope;
    private List<Object> lastChanged;

    /**
     * @param recursiveLoop the loop to run again on {@code loop(items)}, or null when not recursive
     * @param loopScope the scope the loop runs in (a recursion starts there too)
     */
    LoopInfo(List<Object> items, int depth0, Node.For recursiveLoop, Scope loopScope) {
        this.items = items;
        this.depth0 = depth0;
        this.recursiveLoop = recursiveLoop;
        this.loopScope = loopScope;
    }

    @Override
    public Object call(Renderer renderer, List<Object> args, Map<String, Object> kwargs) {
        if (recursiveLoop == null) {
            throw new EvalError("TypeError: The loop must have the 'recursive' marker to be called recursively.");
        }
        if (args.size() != 1 || !kwargs.isEmpty()) {
            throw new EvalError("TypeError: loop() takes exactly one argument, the items to loop over");
        }
        return renderer.recurse(recursiveLoop, args.get(0), loopScope, depth0 + 1);
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
            case "depth" -> (long) depth0 + 1;
            case "depth0" -> (long) depth0;
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
