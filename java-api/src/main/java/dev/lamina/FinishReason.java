package dev.lamina;

/** Why a {@link Generation} stopped. */
public enum FinishReason {
    /** The model produced an end-of-generation token (EOS, EOT, ...). It is not delivered. */
    END_OF_GENERATION,
    /** {@link GenerationOptions#maxTokens()} tokens were generated. */
    MAX_TOKENS,
    /** The session's context has no room for another token. */
    CONTEXT_FULL,
    /** The text reached one of {@link GenerationOptions#stopStrings()}. */
    STOP_STRING,
    /** {@link Generation#cancel()} was called, or the generation was closed before it finished. */
    CANCELLED
}
