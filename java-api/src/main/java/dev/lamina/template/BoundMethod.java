package dev.lamina.template;

import java.util.List;
import java.util.Map;

/** {@code obj.name} where name is a Python method of obj, e.g. {@code content.strip}. */
record BoundMethod(Object self, String name) implements JinjaCallable {
    @Override
    public Object call(Renderer renderer, List<Object> args, Map<String, Object> kwargs) {
        MarkupStrings markup = renderer.markup();
        if (name.equals("format") && markup.isMarkup(self)) {
            return markup.mark((String) Methods.call(self, name, markup.escapeAll(args), markup.escapeAll(kwargs)));
        }
        return Methods.call(self, name, args, kwargs);
    }
}
