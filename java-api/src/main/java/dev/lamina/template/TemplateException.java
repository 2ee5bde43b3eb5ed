package dev.lamina.template;

/**
 * A chat template failed: it does not parse ({@link Kind#SYNTAX}), it fails while rendering
 * ({@link Kind#RENDER}: an undefined name, a bad operand type, ...) or it refused the input
 * itself through {@code raise_exception(...)} ({@link Kind#RAISED}), or it exceeded one of its
 * {@link TemplateLimits} ({@link Kind#LIMIT}).
 *
 * <p>For a raised error {@link #getMessage()} is exactly the template's own message (as Hugging
 * Face reports it); for the other kinds it starts with the template line and column.
 */
public final class TemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the template failed. */
    public enum Kind {
        /** The template text is not valid Jinja (or uses an unsupported tag). */
        SYNTAX,
        /** Evaluating the template failed. */
        RENDER,
        /** The template called {@code raise_exception(message)}. */
        RAISED,
        /** The render exceeded one of its {@link TemplateLimits}; the message names it. */
        LIMIT
    }

    private final Kind kind;
    private final String reason;
    private final int line;
    private final int column;

    TemplateException(Kind kind, String reason, int line, int column) {
        super(kind == Kind.RAISED ? reason : location(line, column) + reason);
        this.kind = kind;
        this.reason = reason;
        this.line = line;
        this.column = column;
    }

    private static String location(int line, int column) {
        if (line <= 0) {
            return "template: ";
        }
        return column > 0
                ? "template line " + line + ", column " + column + ": "
                : "template line " + line + ": ";
    }

    /** Why it failed. */
    public Kind kind() {
        return kind;
    }

    /** The message without the location prefix (for a raised error, the template's message). */
    public String reason() {
        return reason;
    }

    /** 1-based template line of the construct at fault, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column of the construct at fault, or 0 when unknown. */
    public int column() {
        return column;
    }
}
