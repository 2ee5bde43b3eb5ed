package dev.lamina.template;

import java.util.List;
import java.util.Map;

/** Something a template can call: a global function, a macro, a bound method. */
interface JinjaCallable {
    Object call(Renderer renderer, List<Object> args, Map<String, Object> kwargs);
}
