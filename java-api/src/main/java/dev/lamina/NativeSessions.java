package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_session_default_params;
import static dev.lamina.bindings.lamina_h.lm_session_free;
import static dev.lamina.bindings.lamina_h.lm_session_new;
import static dev.lamina.bindings.lamina_h.lm_session_set_lora;

import dev.lamina.bindings.lm_session_params;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Creates native sessions from {@link SessionOptions}: the one place that fills
 * {@code lm_session_params}. It starts from {@code lm_session_default_params()} and writes each
 * option as given, 0 meaning "the library's default", so the defaults live only in the library.
 */
final class NativeSessions {
    private NativeSessions() {}

    /**
     * A new native session (the caller frees it).
     *
     * @param maxSequences sequence ids the session holds (0 = the library's default)
     */
    static MemorySegment create(Model model, SessionOptions options, int maxSequences) {
        return create(model, options, maxSequences, false);
    }

    /** The same; with {@code embeddings} the session outputs hidden states instead of logits. */
    static MemorySegment create(Model model, SessionOptions options, int maxSequences, boolean embeddings) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment params = lm_session_default_params(call);
            lm_session_params.n_ctx(params, options.contextLength());
            lm_session_params.n_batch(params, options.batchSize());
            lm_session_params.n_threads(params, options.threads());
            lm_session_params.n_seq_max(params, maxSequences);
            lm_session_params.embeddings(params, embeddings);
            if (options.kvType() != null) {
                lm_session_params.kv_type(params, call.allocateFrom(options.kvType().nativeName()));
            }
            MemorySegment out = call.allocate(ValueLayout.ADDRESS);
            Native.check(lm_session_new(model.handle(), params, out), model.path());
            MemorySegment session = out.get(ValueLayout.ADDRESS, 0);
            try {
                // The model's adapters (ModelOptions.loras), at their scales.
                List<LoraAdapter> adapters = model.loraAdapters();
                for (int i = 0; i < adapters.size(); i++) {
                    LoraAdapter adapter = adapters.get(i);
                    Native.check(lm_session_set_lora(session, adapter.handle(), model.options().loras().get(i).scale()),
                            adapter.path());
                }
            } catch (RuntimeException | Error e) {
                lm_session_free(session);
                throw e;
            }
            return session;
        }
    }
}
