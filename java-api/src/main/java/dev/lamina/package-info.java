/**
 * Lamina's Java API: LLaMA-family inference from GGUF files through the native core.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("model.gguf"));
 *      Session session = model.newSession(SessionOptions.builder().contextLength(2048).build());
 *      Generation generation = session.generate("Once upon a time", GenerationOptions.greedy().maxTokens(64))) {
 *     for (GeneratedToken token : generation) {
 *         System.out.print(token.text());
 *     }
 *     GenerationResult result = generation.result();
 *     System.err.printf("%.1f tokens/s%n", result.generationTokensPerSecond());
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.lamina.Model}: a mapped model file, thread-safe; closing it closes its sessions.</li>
 *   <li>{@link dev.lamina.Tokenizer}: text to token ids and back, exactly as llama.cpp; a
 *       {@link dev.lamina.TokenStreamDecoder} never splits a character across tokens.</li>
 *   <li>{@link dev.lamina.Chat}: a conversation rendered with the model's chat template
 *       ({@link dev.lamina.Model#chatTemplate()}), reusing the KV cache from turn to turn.</li>
 *   <li>{@link dev.lamina.Session}: KV cache and logits, one thread at a time
 *       ({@link java.util.ConcurrentModificationException} on concurrent use); closing it (or its
 *       model) from another thread waits for the call in flight, then frees it.</li>
 *   <li>{@link dev.lamina.Generation}: a closeable iterator of generated tokens; {@code cancel()} and a
 *       timeout ({@link dev.lamina.GenerationOptions#timeout()}) stop even a long prompt within one layer.</li>
 *   <li>{@link dev.lamina.BatchSession}: many {@link dev.lamina.Sequence}s in one KV cache, their queued
 *       tokens evaluated together by one {@code step()}; forks share a prefix's cells.</li>
 *   <li>Failures are {@link dev.lamina.LaminaException}s, typed by cause:
 *       {@link dev.lamina.ModelFormatException}, {@link dev.lamina.ModelIOException},
 *       {@link dev.lamina.ContextFullException}, {@link dev.lamina.InvalidArgumentException},
 *       {@link dev.lamina.CancelledException} (and its {@link dev.lamina.DeadlineExceededException}).
 *       Use after close is an {@link java.lang.IllegalStateException}.</li>
 * </ul>
 *
 * <p>The native library is found as described in {@link dev.lamina.internal.NativeLibrary}
 * ({@code -Dlamina.library.path}, then {@code java.library.path}, then the copy inside the jar).
 * Run with {@code --enable-native-access=ALL-UNNAMED} to avoid the JDK's native-access warning.
 */
package dev.lamina;
