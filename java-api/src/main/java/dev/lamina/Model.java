package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_model_default_params;
import static dev.lamina.bindings.lamina_h.lm_model_free;
import static dev.lamina.bindings.lamina_h.lm_model_get_info;
import static dev.lamina.bindings.lamina_h.lm_model_load;
import static dev.lamina.bindings.lamina_h.lm_model_meta_key;
import static dev.lamina.bindings.lamina_h.lm_model_meta_string;
import static dev.lamina.bindings.lamina_h.lm_model_meta_value_text;
import static dev.lamina.bindings.lamina_h.lm_model_decode_weight_bytes;
import static dev.lamina.bindings.lamina_h.lm_model_kv_bytes_per_token;
import static dev.lamina.bindings.lamina_h.lm_model_mha_kv_bytes_per_token;
import static dev.lamina.bindings.lamina_h.lm_model_n_worker_threads;
import static dev.lamina.bindings.lamina_h.lm_model_tensor_info;

import dev.lamina.bindings.lm_model_info;
import dev.lamina.bindings.lm_model_params;
import dev.lamina.bindings.lm_tensor_info;
import dev.lamina.template.ChatTemplate;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A GGUF model loaded by the native library: its weights are mapped once and shared by every
 * {@link Session} created from it.
 *
 * <p><b>Threads.</b> A model is thread-safe: any number of threads may tokenize, read metadata and
 * create sessions at once.
 *
 * <p><b>Lifecycle.</b> {@link #close()} is idempotent and may be called from any thread. It first closes
 * every session of this model that is still open (sessions must not outlive the native model); if one
 * of them is inside a call on another thread (a generation step, an evaluation), it waits for that
 * call to return, as {@link Session#close()} does, and calls on the model's tokenizer or metadata in
 * flight finish first too. Then it unmaps the file. Any use after close
 * throws {@link IllegalStateException}. A {@link Cleaner} frees the native memory of a model that
 * became unreachable without being closed, but only as a backstop: close models explicitly
 * (try-with-resources).
 */
public final class Model implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Path path;
    private final ModelOptions options;
    private final NativeState state;
    private final Cleaner.Cleanable cleanable;
    private final ModelInfo info;
    private final Tokenizer tokenizer;
    /** Readers: every native call on the model. Writer: close. Makes close wait for calls in flight. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Open sessions and batch sessions (their close()), closed before the model. */
    private final Set<ModelSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** The adapters of {@link ModelOptions#loras()}, in order, applied to every new session. */
    private volatile List<LoraAdapter> optionAdapters = List.of();
    private volatile Map<String, String> metadata;
    private volatile List<TensorInfo> tensors;
    /** Parsed on first use; null until then. */
    private volatile Optional<ChatTemplate> chatTemplate;

    /** Native resources of a model; also the Cleaner's action, so it must not refer to the Model. */
    private static final class NativeState implements Runnable {
        final Arena arena = Arena.ofShared();
        final Set<Runnable> sessionReleasers = ConcurrentHashMap.newKeySet();
        /** LoRA adapters: freed after the sessions that may apply them, before the model. */
        final Set<Runnable> adapterReleasers = ConcurrentHashMap.newKeySet();
        MemorySegment raw = MemorySegment.NULL;
        MemorySegment handle = MemorySegment.NULL;
        private boolean released;

        @Override
        public synchronized void run() {
            if (released) {
                return;
            }
            released = true;
            // Sessions first: the native model must outlive its sessions.
            for (Runnable r : sessionReleasers) {
                r.run();
            }
            sessionReleasers.clear();
            for (Runnable r : adapterReleasers) {
                r.run();
            }
            adapterReleasers.clear();
            arena.close();
            if (!raw.equals(MemorySegment.NULL)) {
                lm_model_free(raw);
            }
        }
    }

    private Model(Path path, ModelOptions options, NativeState state) {
        this.path = path;
        this.options = options;
        this.state = state;
        this.cleanable = CLEANER.register(this, state);
        this.info = readInfo();
        this.tokenizer = new Tokenizer(this);
    }

    /** Loads a model with default options. */
    public static Model load(Path path) {
        return load(path, ModelOptions.defaults());
    }

    /**
     * Maps and validates a GGUF file.
     *
     * @throws ModelFormatException if the file is not valid GGUF, violates its own structure or uses
     *                              something Lamina does not support, or its SHA-256 differs from
     *                              {@link ModelOptions#expectedSha256()} (the message names both)
     * @throws ModelIOException     if the file cannot be opened, read or mapped
     * @throws LaminaException      for any other native failure
     */
    public static Model load(Path path, ModelOptions options) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(options, "options");
        Native.ensureLoaded();
        Path absolute = path.toAbsolutePath();
        NativeState state = new NativeState();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment params = lm_model_default_params(call);
            lm_model_params.vocab_only(params, options.vocabOnly());
            lm_model_params.repack_weights(params, options.repackWeights());
            if (options.expectedSha256() != null) {
                lm_model_params.expected_sha256(params, call.allocateFrom(options.expectedSha256()));
            }
            MemorySegment out = call.allocate(ValueLayout.ADDRESS);
            int status = lm_model_load(call.allocateFrom(absolute.toString()), params, out);
            if (status != 0) {
                RuntimeException failure = Native.failure(status, absolute);
                state.run();
                throw failure;
            }
            state.raw = out.get(ValueLayout.ADDRESS, 0);
            // Scoped to the model's arena: a stale segment used after close fails instead of crashing.
            state.handle = state.raw.reinterpret(state.arena, null);
        } catch (RuntimeException | Error e) {
            state.run();
            throw e;
        }
        Model model;
        try {
            model = new Model(absolute, options, state);
        } catch (RuntimeException | Error e) {
            state.run();
            throw e;
        }
        try {
            List<LoraAdapter> adapters = new ArrayList<>();
            for (ModelOptions.Lora lora : options.loras()) {
                adapters.add(model.loadLoraAdapter(lora.path()));
            }
            model.optionAdapters = List.copyOf(adapters);
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
        return model;
    }

    /**
     * Loads a LoRA adapter for this model (see {@link LoraAdapter}); apply it to a session with
     * {@link Session#setLora(LoraAdapter, float)}. It is closed automatically when this model closes.
     *
     * @throws ModelFormatException     if the file is not an adapter or not valid GGUF
     * @throws InvalidArgumentException if it is for another architecture or a tensor does not fit
     *                                  the model (the message names it)
     * @throws ModelIOException         if the file cannot be opened or mapped
     */
    public LoraAdapter loadLoraAdapter(Path adapterPath) {
        Objects.requireNonNull(adapterPath, "adapterPath");
        Path absolute = adapterPath.toAbsolutePath();
        return read(() -> {
            LoraAdapter adapter = new LoraAdapter(this, absolute);
            state.adapterReleasers.add(adapter.releaser());
            return adapter;
        });
    }

    /**
     * The adapters {@link ModelOptions#loras()} named, in their order (their scales are in the
     * options), which every session of this model starts with.
     */
    public List<LoraAdapter> loraAdapters() {
        return optionAdapters;
    }

    /** The absolute path of the model file. */
    public Path path() {
        return path;
    }

    /** The options the model was loaded with. */
    public ModelOptions options() {
        return options;
    }

    /** Fixed facts about the model (read once at load). */
    public ModelInfo info() {
        ensureOpen();
        return info;
    }

    /** The model's tokenizer (a view of this model: valid as long as the model is open). */
    public Tokenizer tokenizer() {
        ensureOpen();
        return tokenizer;
    }

    /** Every tensor of the file, in file order. */
    public List<TensorInfo> tensors() {
        List<TensorInfo> t = tensors;
        if (t == null) {
            t = read(this::readTensors);
            tensors = t;
        }
        return t;
    }

    /**
     * All metadata entries in file order: key → value rendered as text (arrays abbreviated by the
     * native library).
     */
    public Map<String, String> metadata() {
        Map<String, String> m = metadata;
        if (m == null) {
            m = read(this::readMetadata);
            metadata = m;
        }
        return m;
    }

    /** The value of a string metadata entry, or empty if the key is absent or not a string. */
    public Optional<String> findMetadataString(String key) {
        Objects.requireNonNull(key, "key");
        return read(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment k = call.allocateFrom(key);
                return Optional.of(Native.twoCallString(call,
                        (buf, cap, len) -> lm_model_meta_string(state.handle, k, buf, cap, len), path));
            } catch (InvalidArgumentException e) {
                return Optional.empty();
            }
        });
    }

    /**
     * The value of a string metadata entry.
     *
     * @throws InvalidArgumentException if the key is absent or its value is not a string
     */
    public String metadataString(String key) {
        Objects.requireNonNull(key, "key");
        return read(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment k = call.allocateFrom(key);
                return Native.twoCallString(call,
                        (buf, cap, len) -> lm_model_meta_string(state.handle, k, buf, cap, len), path);
            }
        });
    }

    /** The metadata key of a model's own chat template. */
    public static final String CHAT_TEMPLATE_KEY = "tokenizer.chat_template";

    /**
     * The model's chat template (metadata {@value #CHAT_TEMPLATE_KEY}), parsed on first use and
     * kept; empty if the file has none. Render it with the model's special tokens through
     * {@link Chat}, or pass {@link #chatBosToken()} / {@link #chatEosToken()} yourself.
     *
     * @throws dev.lamina.template.TemplateException if the file's template is not valid Jinja
     */
    public Optional<ChatTemplate> chatTemplate() {
        Optional<ChatTemplate> t = chatTemplate;
        if (t == null) {
            synchronized (this) {
                t = chatTemplate;
                if (t == null) {
                    t = findMetadataString(CHAT_TEMPLATE_KEY).map(ChatTemplate::parse);
                    chatTemplate = t;
                }
            }
        }
        return t;
    }

    /** The text of the BOS token as chat templates see it ({@code bos_token}), or null if there is none. */
    public String chatBosToken() {
        int bos = info().bos();
        return bos < 0 ? null : tokenizer.tokenText(bos);
    }

    /** The text of the EOS token as chat templates see it ({@code eos_token}), or null if there is none. */
    public String chatEosToken() {
        int eos = info().eos();
        return eos < 0 ? null : tokenizer.tokenText(eos);
    }

    /** Creates a session (KV cache + logits) with default options. */
    public Session newSession() {
        return newSession(SessionOptions.defaults());
    }

    /**
     * Creates a session. It is closed automatically when this model closes.
     *
     * @throws LaminaException if the native library cannot create it (e.g. a vocab-only model,
     *                         {@link Status#OUT_OF_MEMORY})
     */
    public Session newSession(SessionOptions options) {
        Objects.requireNonNull(options, "options");
        return read(() -> {
            Session session = new Session(this, options);
            sessions.add(session);
            return session;
        });
    }

    /** An {@link Embedder} with default options (the model's pooling, not normalised). */
    public Embedder newEmbedder() {
        return newEmbedder(EmbedderOptions.defaults());
    }

    /** An {@link Embedder}: texts to vectors. It is closed automatically when this model closes. */
    public Embedder newEmbedder(EmbedderOptions options) {
        Objects.requireNonNull(options, "options");
        return read(() -> {
            Embedder embedder = new Embedder(this, options);
            sessions.add(embedder);
            return embedder;
        });
    }

    /**
     * Creates a session of several sequences evaluated together ({@link BatchSession}). It is closed
     * automatically when this model closes.
     *
     * @throws InvalidArgumentException if the library refuses an option (e.g. more sequences than it
     *                                  supports, 64)
     * @throws LaminaException          for other native failures (e.g. {@link Status#OUT_OF_MEMORY})
     */
    public BatchSession newBatchSession(BatchSessionOptions options) {
        Objects.requireNonNull(options, "options");
        return read(() -> {
            BatchSession session = new BatchSession(this, options);
            sessions.add(session);
            return session;
        });
    }

    /**
     * Worker threads the model's sessions share, the evaluating thread included: the widest
     * {@link SessionOptions#threads()} any evaluation asked for so far (0 before the first). Sessions
     * evaluating at once take turns on these threads instead of each starting their own.
     */
    public int workerThreads() {
        return read(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment out = call.allocate(ValueLayout.JAVA_INT);
                Native.check(lm_model_n_worker_threads(state.handle, out), path);
                return out.get(ValueLayout.JAVA_INT, 0);
            }
        });
    }

    /**
     * Bytes of weights one decode step reads: every tensor but the token embedding (unless it is
     * also the output matrix), and for mixture-of-experts models only the share of the experts'
     * tensors one token routes through. Tokens per second times this can't exceed the memory
     * bandwidth.
     */
    public long decodeWeightBytes() {
        return read(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment out = call.allocate(ValueLayout.JAVA_LONG);
                Native.check(lm_model_decode_weight_bytes(state.handle, out), path);
                return out.get(ValueLayout.JAVA_LONG, 0);
            }
        });
    }

    /**
     * Bytes of KV cache one position takes with a cache of {@code kvType}: keys and values of
     * every layer, what a {@link Session} of this model with that type uses per token. Multi-head
     * latent attention keeps one compressed latent per layer; compare {@link #multiHeadKvBytesPerToken}.
     *
     * @throws LaminaException (status UNSUPPORTED) when the model's head widths cannot use the type
     */
    public long kvBytesPerToken(KvType kvType) {
        String name = Objects.requireNonNull(kvType, "kvType").nativeName();
        return read(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment out = call.allocate(ValueLayout.JAVA_LONG);
                Native.check(lm_model_kv_bytes_per_token(state.handle, call.allocateFrom(name), out), path);
                return out.get(ValueLayout.JAVA_LONG, 0);
            }
        });
    }

    /**
     * What a multi-head attention cache of this model's shape would take per position: every
     * query head with its own full-width key and value (for latent attention the decompressed
     * widths). Against {@link #kvBytesPerToken} it shows what grouped-query or latent attention saves.
     */
    public long multiHeadKvBytesPerToken(KvType kvType) {
        String name = Objects.requireNonNull(kvType, "kvType").nativeName();
        return read(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment out = call.allocate(ValueLayout.JAVA_LONG);
                Native.check(lm_model_mha_kv_bytes_per_token(state.handle, call.allocateFrom(name), out), path);
                return out.get(ValueLayout.JAVA_LONG, 0);
            }
        });
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the open sessions of this model, then frees the model. Idempotent. */
    @Override
    public void close() {
        Lock w = lock.writeLock();
        w.lock();
        try {
            if (closed) {
                return;
            }
            for (ModelSession s : List.copyOf(sessions)) {
                s.close();
            }
            closed = true;
            cleanable.clean();
        } finally {
            w.unlock();
        }
    }

    @Override
    public String toString() {
        return "Model[" + path + (closed ? ", closed" : "") + "]";
    }

    // ---- package-private plumbing for Tokenizer and Session -------------------------------------

    /** The native handle; callers must hold {@link #read}'s lock or be a session of this model. */
    MemorySegment handle() {
        return state.handle;
    }

    void register(Runnable sessionReleaser) {
        state.sessionReleasers.add(sessionReleaser);
    }

    /** Frees an adapter once no native call on the model is in flight. */
    void forget(LoraAdapter adapter) {
        Lock w = lock.writeLock();
        w.lock();
        try {
            if (state.adapterReleasers.remove(adapter.releaser())) {
                adapter.releaser().run();
            }
        } finally {
            w.unlock();
        }
    }

    void unregister(ModelSession session, Runnable sessionReleaser) {
        sessions.remove(session);
        state.sessionReleasers.remove(sessionReleaser);
    }

    /** Runs a native operation while the model is guaranteed to stay open. */
    <T> T read(Supplier<T> operation) {
        Lock r = lock.readLock();
        r.lock();
        try {
            ensureOpen();
            return operation.get();
        } finally {
            r.unlock();
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Model " + path.getFileName() + " is closed");
        }
    }

    // ---- readers --------------------------------------------------------------------------------

    private ModelInfo readInfo() {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment s = lm_model_info.allocate(call);
            Native.check(lm_model_get_info(state.handle, s), path);
            return new ModelInfo(
                    Native.fixedString(lm_model_info.architecture(s)),
                    Native.fixedString(lm_model_info.name(s)),
                    lm_model_info.gguf_version(s),
                    lm_model_info.file_type(s),
                    lm_model_info.n_vocab(s),
                    lm_model_info.n_ctx_train(s),
                    lm_model_info.n_embd(s),
                    lm_model_info.n_layer(s),
                    lm_model_info.n_head(s),
                    lm_model_info.n_head_kv(s),
                    lm_model_info.n_ff(s),
                    lm_model_info.head_dim(s),
                    lm_model_info.n_expert(s),
                    lm_model_info.n_expert_used(s),
                    lm_model_info.rope_freq_base(s),
                    lm_model_info.rms_norm_eps(s),
                    lm_model_info.bos(s),
                    lm_model_info.eos(s),
                    lm_model_info.eot(s),
                    lm_model_info.n_params(s),
                    lm_model_info.n_bytes(s),
                    lm_model_info.n_tensors(s),
                    lm_model_info.n_metadata(s),
                    lm_model_info.add_bos(s),
                    lm_model_info.vocab_only(s),
                    lm_model_info.n_repacked(s),
                    lm_model_info.repacked_bytes(s));
        }
    }

    private List<TensorInfo> readTensors() {
        List<TensorInfo> list = new ArrayList<>((int) info.tensorCount());
        try (Arena call = Arena.ofConfined()) {
            MemorySegment s = lm_tensor_info.allocate(call);
            for (long i = 0; i < info.tensorCount(); i++) {
                Native.check(lm_model_tensor_info(state.handle, i, s), path);
                int dims = Math.max(1, Math.min(4, lm_tensor_info.n_dims(s)));
                List<Long> shape = new ArrayList<>(dims);
                for (int d = 0; d < dims; d++) {
                    shape.add(lm_tensor_info.ne(s, d));
                }
                int type = lm_tensor_info.type(s);
                list.add(new TensorInfo(Native.fixedString(lm_tensor_info.name(s)), type, Native.typeName(type),
                        shape, lm_tensor_info.offset(s), lm_tensor_info.n_bytes(s)));
            }
        }
        return Collections.unmodifiableList(list);
    }

    private Map<String, String> readMetadata() {
        Map<String, String> map = new LinkedHashMap<>();
        try (Arena call = Arena.ofConfined()) {
            for (long i = 0; i < info.metadataCount(); i++) {
                long index = i;
                byte[] key = Native.twoCall(call,
                        (buf, cap, len) -> lm_model_meta_key(state.handle, index, buf, cap, len), path);
                byte[] value = Native.twoCall(call,
                        (buf, cap, len) -> lm_model_meta_value_text(state.handle, index, buf, cap, len), path);
                map.put(new String(key, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
            }
        }
        return Collections.unmodifiableMap(map);
    }
}
