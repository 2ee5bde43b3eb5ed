package dev.lamina.template;

import java.util.List;
import java.util.Map;

/** A {@code {% macro %}} bound to the scope it was defined in; calling it renders its body to a string. */
record Macro(Node.MacroDef definition, Scope closure) implements JinjaCallable {
    String name() {
        return definition.name();
    }

    @Override
    public Object call(Renderer renderer, List<Object> args, Map<String, Object> kwargs) {
        List<String> params = definition.params();
        if (args.size() > params.size()) {
            throw new EvalError("macro '" + name() + "' takes not more than " + params.size() + " argument(s)");
        }
        for (String key : kwargs.keySet()) {
            if (!params.contains(key)) {
                throw new EvalError("macro '" + name() + "' takes no keyword argument '" + key + "'");
            }
        }
        Scope scope = new Scope(closure);
        int firstDefault = params.size() - definition.defaults().size();
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            Object value;
            if (i < args.size()) {
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
        return renderer.capture(definition.body(), scope);
    }
}
