package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_file_type_names;
import static dev.lamina.bindings.lamina_h.lm_model_quantize;
import static dev.lamina.bindings.lamina_h.lm_model_shape_names;
import static dev.lamina.bindings.lamina_h.lm_model_synthesize;
import static dev.lamina.bindings.lamina_h.lm_quantize_default_params;
import static dev.lamina.bindings.lamina_h.lm_synthesize_default_params;
import static dev.lamina.bindings.lamina_h.lm_lora_synthesize;
import static dev.lamina.bindings.lamina_h.lm_lora_synthesize_default_params;

import dev.lamina.bindings.lm_progress_fn;
import dev.lamina.bindings.lm_quantize_params;
import dev.lamina.bindings.lm_synthesize_params;
import dev.lamina.bindings.lm_lora_synthesize_params;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Writes GGUF models with the native library: {@link #quantize} rewrites a model in another file
 * type, {@link #synthesize} writes a random-weight model of a real model's exact shape (for
 * benchmarks that need no download). Both write to a temporary name and rename when complete, so
 * a failed or cancelled call leaves no output file.
 *
 * <p>Progress listeners run as FFM upcalls on the calling thread. An exception thrown by a listener
 * must never unwind through the native frames (the JVM would abort), so it is caught inside the
 * upcall, the operation is cancelled, and the exception is rethrown once the native call returned.
 */
public final class ModelWriter {
    private ModelWriter() {}

    /**
     * Rewrites {@code in} with its matrices in {@code options.fileType()}; norms stay F32 and the
     * "_M" mixes keep sensitive tensors at more bits, as llama.cpp's quantizer does.
     *
     * @throws InvalidArgumentException for an unknown file type
     * @throws ModelFormatException     if {@code in} is not a model Lamina can read
     * @throws ModelIOException         if a file cannot be read or written
     * @throws LaminaException          with {@link Status#CANCELLED} if the listener returned false
     */
    public static void quantize(Path in, Path out, QuantizeOptions options) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(options, "options");
        Native.ensureLoaded();
        Path input = in.toAbsolutePath();
        try (Arena call = Arena.ofConfined()) {
            Upcall progress = new Upcall(options.progress());
            MemorySegment params = lm_quantize_default_params(call);
            lm_quantize_params.file_type(params, call.allocateFrom(options.fileType()));
            lm_quantize_params.n_threads(params, options.threads());
            lm_quantize_params.progress(params, progress.stub(call));
            int status = lm_model_quantize(call.allocateFrom(input.toString()),
                    call.allocateFrom(out.toAbsolutePath().toString()), params);
            progress.finish(status, input);
        }
    }

    /**
     * Writes a random-weight llama model of the shape {@code options.shape()} to {@code out}.
     *
     * @throws InvalidArgumentException for an unknown shape or file type
     * @throws ModelFormatException     if the vocabulary file is not a GGUF with tokenizer metadata
     * @throws ModelIOException         if a file cannot be read or written
     * @throws LaminaException          with {@link Status#CANCELLED} if the listener returned false
     */
    public static void synthesize(Path out, SynthesizeOptions options) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(options, "options");
        Native.ensureLoaded();
        Path output = out.toAbsolutePath();
        try (Arena call = Arena.ofConfined()) {
            Upcall progress = new Upcall(options.progress());
            MemorySegment params = lm_synthesize_default_params(call);
            lm_synthesize_params.shape(params, call.allocateFrom(options.shape()));
            lm_synthesize_params.vocab_path(params, call.allocateFrom(options.vocab().toAbsolutePath().toString()));
            lm_synthesize_params.file_type(params, call.allocateFrom(options.fileType()));
            lm_synthesize_params.seed(params, options.seed());
            lm_synthesize_params.n_threads(params, options.threads());
            lm_synthesize_params.progress(params, progress.stub(call));
            int status = lm_model_synthesize(call.allocateFrom(output.toString()), params);
            progress.finish(status, output);
        }
    }

    /**
     * Writes a random LoRA adapter (llama.cpp's GGUF adapter format) for the model file {@code base}
     * to {@code out}; {@link Model#loadLoraAdapter} loads it.
     *
     * @throws InvalidArgumentException for a target that matches no matrix, a bad type or rank
     * @throws ModelFormatException     if {@code base} is not a GGUF model
     * @throws ModelIOException         if a file cannot be read or written
     */
    public static void synthesizeLora(Path base, Path out, LoraSynthesizeOptions options) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(options, "options");
        Native.ensureLoaded();
        Path output = out.toAbsolutePath();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment params = lm_lora_synthesize_default_params(call);
            if (options.targets() != null) {
                lm_lora_synthesize_params.targets(params, call.allocateFrom(String.join(",", options.targets())));
            }
            if (options.type() != null) {
                lm_lora_synthesize_params.type(params, call.allocateFrom(options.type()));
            }
            if (options.rank() != 0) {
                lm_lora_synthesize_params.rank(params, options.rank());
            }
            if (options.alpha() != null) {
                lm_lora_synthesize_params.alpha(params, options.alpha());
            }
            if (options.seed() != null) {
                lm_lora_synthesize_params.seed(params, options.seed());
            }
            Native.check(lm_lora_synthesize(call.allocateFrom(base.toAbsolutePath().toString()),
                    call.allocateFrom(output.toString()), params), output);
        }
    }

    /** The file types {@link #quantize} and {@link #synthesize} accept, e.g. [F32, F16, ..., Q6_K]. */
    public static List<String> fileTypeNames() {
        Native.ensureLoaded();
        try (Arena call = Arena.ofConfined()) {
            return split(Native.twoCallString(call, (buf, cap, len) -> lm_file_type_names(buf, cap, len), null));
        }
    }

    /** The shapes {@link #synthesize} knows, e.g. [tiny-64, tinyllama-1.1b, llama-3.2-1b, ...]. */
    public static List<String> shapeNames() {
        Native.ensureLoaded();
        try (Arena call = Arena.ofConfined()) {
            return split(Native.twoCallString(call, (buf, cap, len) -> lm_model_shape_names(buf, cap, len), null));
        }
    }

    private static List<String> split(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** One call's progress upcall: remembers what the listener threw instead of letting it reach C. */
    private static final class Upcall {
        private final ProgressListener listener;
        private Throwable thrown;

        Upcall(ProgressListener listener) {
            this.listener = listener;
        }

        /** The C function pointer, valid as long as {@code arena} (the call's confined arena). */
        MemorySegment stub(Arena arena) {
            return lm_progress_fn.allocate(this::apply, arena);
        }

        private boolean apply(long done, long total, MemorySegment userData) {
            if (thrown != null) {
                return false;
            }
            try {
                return listener.onProgress(done, total);
            } catch (Throwable t) {
                // Never let it unwind into native frames: cancel and rethrow after the call returns.
                thrown = t;
                return false;
            }
        }

        /** Rethrows what the listener threw, else turns a failing status into an exception. */
        void finish(int status, Path file) {
            if (thrown instanceof RuntimeException e) {
                throw e;
            }
            if (thrown instanceof Error e) {
                throw e;
            }
            if (thrown != null) {
                LaminaException e = new LaminaException(Status.CANCELLED, "progress listener threw " + thrown, file);
                e.initCause(thrown);
                throw e;
            }
            Native.check(status, file);
        }
    }
}
