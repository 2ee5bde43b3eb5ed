package dev.lamina.template;

import java.util.Collection;
import java.util.Map;

/**
 * What one render has spent of its {@link TemplateLimits}: operations so far and the current
 * nesting depth, plus the size checks for output and built values.
 */
final class RenderBudget {
    /** A bound was exceeded; the renderer adds the template position and makes it a TemplateException. */
    static final class Exceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Exceeded(String message) {
            super(message, null, false, false);
        }
    }

    // The value helpers (Values, PyStrings, Methods, the format helpers) are static and know no
    // renderer; they find the budget of the render running on their thread here, so a helper
    // that would build a huge string can refuse before allocating it.
    private static final ThreadLocal<RenderBudget> CURRENT = new ThreadLocal<>();

    private final TemplateLimits limits;
    private long operations;
    private int depth;

    RenderBudget(TemplateLimits limits) {
        this.limits = limits;
    }

    TemplateLimits limits() {
        return limits;
    }

    /** The budget's hold on its thread; closing it restores the thread's previous budget. */
    interface Activation extends AutoCloseable {
        @Override
        void close();
    }

    /** Makes this the budget of the calling thread until the returned handle is closed. */
    Activation activate() {
        RenderBudget previous = CURRENT.get();
        CURRENT.set(this);
        return () -> CURRENT.set(previous);
    }

    /** One more statement, loop iteration, expression or call. */
    void tick() {
        if (++operations > limits.maxOperations()) {
            throw exceeded("maxOperations", limits.maxOperations(), "operations (statements, loop iterations,"
                    + " expressions and calls)");
        }
    }

    void checkOutput(long chars) {
        if (chars > limits.maxOutputChars()) {
            throw exceeded("maxOutputChars", limits.maxOutputChars(), "characters of output");
        }
    }

    /** Checks a value the template just built; returns it. */
    Object checkValue(Object value) {
        long size = switch (value) {
            case String s -> s.length();
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case null, default -> 0;
        };
        checkSize(size);
        return value;
    }

    private void checkSize(long size) {
        if (size > limits.maxValueSize()) {
            throw exceeded("maxValueSize", limits.maxValueSize(), "characters (or items) in one string, list"
                    + " or dict");
        }
    }

    /**
     * Refuses to build a string or list of {@code size} characters or items when it would exceed
     * the limit of the render running on this thread (no check outside a render).
     */
    static void checkBuild(long size) {
        RenderBudget budget = CURRENT.get();
        if (budget != null) {
            budget.checkSize(size);
        } else if (size > Integer.MAX_VALUE - 8) {
            throw new EvalError("cannot build a value of " + size + " characters or items");
        }
    }

    void enter() {
        if (++depth > limits.maxDepth()) {
            depth--;
            throw exceeded("maxDepth", limits.maxDepth(), "nested macro calls, captured blocks and recursive"
                    + " loops");
        }
    }

    void exit() {
        depth--;
    }

    static Exceeded exceeded(String limit, long value, String what) {
        return new Exceeded("template exceeded its limit of " + value + " " + what + " (TemplateLimits."
                + limit + "; raise it with RenderOptions.Builder." + limit + "(...))");
    }
}
