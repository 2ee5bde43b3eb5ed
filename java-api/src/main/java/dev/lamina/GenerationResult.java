package dev.lamina;

/**
 * Summary of a finished {@link Generation}.
 *
 * @param finishReason     why it stopped
 * @param text             all generated text (without a matched stop string)
 * @param promptTokens     tokens of the prompt that were evaluated
 * @param generatedTokens  tokens delivered (an end-of-generation token is not counted)
 * @param promptNanos      time spent evaluating the prompt
 * @param generationNanos  time spent producing the generated tokens (sampling and evaluation)
 */
public record GenerationResult(FinishReason finishReason, String text, int promptTokens, int generatedTokens,
                               long promptNanos, long generationNanos) {

    /** Prompt evaluation speed in tokens per second (0 if nothing was timed). */
    public double promptTokensPerSecond() {
        return promptNanos <= 0 ? 0 : promptTokens * 1e9 / promptNanos;
    }

    /** Generation speed in tokens per second (0 if nothing was timed). */
    public double generationTokensPerSecond() {
        return generationNanos <= 0 ? 0 : generatedTokens * 1e9 / generationNanos;
    }
}
