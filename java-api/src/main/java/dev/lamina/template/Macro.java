package dev.lamina.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@code {% macro %}} bound to the scope it was defined in; calling it renders its body to a string. */
record Macro(Node.MacroDef definition, Scope closure, boolean takesVarargs, boolean takesKwargs,
        boolean takesCaller) implements JinjaCallable {

    Macro(Node.MacroDef definition, Scope closure) {
        this(definition, closure, NameUse.inNodes(definition.body(), "varargs"),
                NameUse.inNodes(definition.body(), "kwargs"), NameUse.inNodes(definition.body(), "caller"));
    }

    String name() {
        return definition.name();
    }

    @Override
    public Object call(Renderer renderer, List<Object> args, Map<String, Object> kwargs) {
        List<String> params = definition.params();
        if (args.size() > params.size() && !takesVarargs) {
            throw new EvalError("macro '" + name() + "' takes not more than " + params.size() + " argument(s)");
        }
        Map<Object, Object> extraKwargs = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : kwargs.entrySet()) {
            if (e.getKey().equals("caller") && !params.contains("caller")) {
                // As in Jinja, only a macro that reads 'caller' takes a call block.
                if (!takesCaller) {
                    throw new EvalError("macro '" + name() + "' was invoked with two values for the special"
                            + " caller argument. This is most likely a bug.");
                }
                continue;
            }
            if (!params.contains(e.getKey())) {
                if (!takesKwargs) {
                    throw new EvalError("macro '" + name() + "' takes no keyword argument '" + e.getKey() + "'");
                }
                extraKwargs.put(e.getKey(), e.getValue());
            }
        }
        Scope scope = new Scope(closure);
        int firstDefault = params.size() - definition.defaults().size();
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            Object value;
            if (i < args.size()) {
                if (kwargs.containsKey(p)) {
                    throw new EvalError("macro '" + name() + "' got multiple values for argument '" + p + "'");
                }
                value = args.get(i);
            } else if (kwargs.containsKey(p)) {
                value = kwargs.get(p);
            } else if (i >= firstDefault) {
                value = renderer.eval(definition.defaults().get(i - firstDefault), scope);
            } else {
                value = new Undefined("parameter '" + p + "' was not provided");
            }
            scope.set(p, value);
        }
        List<Object> extra = args.size() > params.size() ? args.subList(params.size(), args.size()) : List.of();
        scope.set("varargs", new PyTuple(new ArrayList<>(extra)));
        scope.set("kwargs", extraKwargs);
        if (kwargs.containsKey("caller") && !params.contains("caller")) {
            scope.set("caller", kwargs.get("caller"));
        }
        return renderer.capture(definition.body(), scope);
    }
}
