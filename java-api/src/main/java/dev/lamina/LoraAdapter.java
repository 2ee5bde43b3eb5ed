package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_lora_adapter_alpha;
import static dev.lamina.bindings.lamina_h.lm_lora_adapter_free;
import static dev.lamina.bindings.lamina_h.lm_lora_adapter_load;
import static dev.lamina.bindings.lamina_h.lm_lora_adapter_n_tensors;
import static dev.lamina.bindings.lamina_h.lm_lora_adapter_rank;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A LoRA adapter in llama.cpp's GGUF format, loaded for one {@link Model} with
 * {@link Model#loadLoraAdapter(Path)} and applied to its sessions with
 * {@link Session#setLora(LoraAdapter, float)}: wherever an adapted matrix W is applied, a session
 * computes {@code W·x + scale·(alpha/rank)·B·(A·x)} (just {@code scale·B·(A·x)} when the file has no
 * alpha), as llama.cpp does. Several adapters add up. Neither the model's weights nor the adapter's
 * are copied.
 *
 * <p><b>Lifecycle.</b> The adapter belongs to its model: closing the model closes it. {@link #close()}
 * is idempotent; sessions it is set on keep applying it until it is removed from them or they close.
 */
public final class LoraAdapter implements AutoCloseable {
    private final Model model;
    private final Path path;
    private final Releaser releaser;
    private final float alpha;
    private final long rank;
    private final long tensorCount;
    private volatile boolean closed;

    /** Frees the native adapter once; shared with the model so that its close frees it first. */
    static final class Releaser implements Runnable {
        MemorySegment raw = MemorySegment.NULL;
        private boolean released;

        @Override
        public synchronized void run() {
            if (released) {
                return;
            }
            released = true;
            if (!raw.equals(MemorySegment.NULL)) {
                lm_lora_adapter_free(raw);
            }
        }
    }

    /** Called by {@link Model#loadLoraAdapter(Path)} under the model's read lock. */
    LoraAdapter(Model model, Path path) {
        this.model = model;
        this.path = path;
        this.releaser = new Releaser();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment out = call.allocate(ValueLayout.ADDRESS);
            Native.check(lm_lora_adapter_load(model.handle(), call.allocateFrom(path.toString()), out), path);
            releaser.raw = out.get(ValueLayout.ADDRESS, 0);
            MemorySegment f = call.allocate(ValueLayout.JAVA_FLOAT);
            MemorySegment n = call.allocate(ValueLayout.JAVA_LONG);
            Native.check(lm_lora_adapter_alpha(releaser.raw, f), path);
            this.alpha = f.get(ValueLayout.JAVA_FLOAT, 0);
            Native.check(lm_lora_adapter_rank(releaser.raw, n), path);
            this.rank = n.get(ValueLayout.JAVA_LONG, 0);
            Native.check(lm_lora_adapter_n_tensors(releaser.raw, n), path);
            this.tensorCount = n.get(ValueLayout.JAVA_LONG, 0);
        } catch (RuntimeException | Error e) {
            releaser.run();
            throw e;
        }
    }

    /** The model it adapts. */
    public Model model() {
        return model;
    }

    /** The absolute path of the adapter file. */
    public Path path() {
        return path;
    }

    /** {@code adapter.lora.alpha}, 0 when the file has none. */
    public float alpha() {
        return alpha;
    }

    /** The largest rank of its matrix pairs. */
    public long rank() {
        return rank;
    }

    /** How many of the model's matrices it adapts. */
    public long tensorCount() {
        return tensorCount;
    }

    public boolean isClosed() {
        return closed || model.isClosed();
    }

    /** Frees the adapter (sessions it is set on keep its data until they drop it). Idempotent. */
    @Override
    public void close() {
        closed = true;
        model.forget(this);
    }

    @Override
    public String toString() {
        return "LoraAdapter[" + path + ", rank " + rank + ", alpha " + alpha + (isClosed() ? ", closed" : "") + "]";
    }

    Releaser releaser() {
        return releaser;
    }

    /** The native handle; throws if this adapter (or its model) is closed. */
    MemorySegment handle() {
        if (isClosed()) {
            throw new IllegalStateException("LoRA adapter " + path.getFileName() + " is closed");
        }
        return releaser.raw;
    }
}
