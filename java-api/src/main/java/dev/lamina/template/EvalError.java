package dev.lamina.template;

/**
 * A Python-level error while evaluating (TypeError, UndefinedError, ...), raised by the value
 * helpers, which know no template position; the renderer turns it into a
 * {@link TemplateException} naming the expression and line.
 */
final class EvalError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    EvalError(String message) {
        super(message, null, false, false);
    }
}
