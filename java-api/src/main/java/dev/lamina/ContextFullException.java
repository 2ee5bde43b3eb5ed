package dev.lamina;

/** The tokens would not fit into the session's context ({@link Status#CONTEXT_FULL}). */
public class ContextFullException extends LaminaException {
    private static final long serialVersionUID = 1L;

    public ContextFullException(String nativeMessage) {
        super(Status.CONTEXT_FULL, nativeMessage, null);
    }
}
