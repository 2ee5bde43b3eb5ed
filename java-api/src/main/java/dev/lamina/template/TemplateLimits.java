package dev.lamina.template;

/**
 * Bounds on the work one render may do. A chat template comes from the model file, so it is
 * untrusted code: without bounds a nested loop runs for hours and a string doubled in a loop
 * exhausts the heap. Exceeding a bound fails the render with a {@link TemplateException} naming
 * the bound, its value and the {@link RenderOptions.Builder} method that raises it.
 *
 * <p>The defaults leave real templates far more room than they need: the conformance templates
 * (Llama 3.x, Qwen 2.5, Gemma 2, Mistral Nemo, Phi 3.5, DeepSeek R1) render their conversations
 * in at most a few hundred operations at depth 1, and a 128k-token prompt is well under a million
 * characters; a runaway template still stops within a second or two (1.4 s for two nested
 * {@code range(100000)} loops on a loaded 2-core machine).
 *
 * @param maxOperations statements executed, loop iterations, expressions evaluated and calls made
 * @param maxOutputChars characters of rendered output
 * @param maxValueSize characters of any one string, or items of any one list or dict, the
 *     template builds while rendering (so a value grown in a variable stops long before memory
 *     runs out even when it is never output)
 * @param maxDepth nesting of macro calls, captured blocks and recursive loops
 */
public record TemplateLimits(long maxOperations, long maxOutputChars, long maxValueSize, int maxDepth) {
    public static final long DEFAULT_MAX_OPERATIONS = 2_000_000L;
    public static final long DEFAULT_MAX_OUTPUT_CHARS = 16L << 20;
    public static final long DEFAULT_MAX_VALUE_SIZE = 16L << 20;
    public static final int DEFAULT_MAX_DEPTH = 200;

    public TemplateLimits {
        positive("maxOperations", maxOperations);
        positive("maxOutputChars", maxOutputChars);
        positive("maxValueSize", maxValueSize);
        positive("maxDepth", maxDepth);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    public static TemplateLimits defaults() {
        return new TemplateLimits(DEFAULT_MAX_OPERATIONS, DEFAULT_MAX_OUTPUT_CHARS, DEFAULT_MAX_VALUE_SIZE,
                DEFAULT_MAX_DEPTH);
    }
}
