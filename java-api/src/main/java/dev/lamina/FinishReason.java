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
    /**
     * {@link Generation#cancel()} was called (an evaluation in progress, the prompt's included, stops
     * within one layer), or the generation or its session was closed before it finished.
     */
    CANCELLED,
    /**
     * {@link GenerationOptions#timeout()} ran out; an evaluation in progress stopped within one layer.
     * Tokens delivered before stay in the session; the token whose evaluation was stopped (or the
     * prompt, if its evaluation was stopped) is not in the KV cache.
     */
    DEADLINE
}
