package dev.lamina.template;

/**
 * Jinja's default {@code Undefined}: a missing variable, attribute or item. It renders as the
 * empty string, is falsy, iterates as empty and has length 0; any other use (arithmetic,
 * attribute access, calling) fails with {@link #hint()}.
 */
record Undefined(String hint) {
    EvalError fail() {
        return new EvalError(hint);
    }

    static Undefined name(String name) {
        return new Undefined("'" + name + "' is undefined");
    }
}
