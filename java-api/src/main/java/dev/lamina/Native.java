package dev.lamina;

import static dev.lamina.bindings.lamina_h.lm_cpu_variant;
import static dev.lamina.bindings.lamina_h.lm_last_error;
import static dev.lamina.bindings.lamina_h.lm_type_name;
import static dev.lamina.bindings.lamina_h.lm_version;

import dev.lamina.internal.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ConcurrentModificationException;

/**
 * The one gate to the generated bindings: loads liblamina before the first call and turns
 * {@code lm_status} codes into exceptions carrying {@code lm_last_error()}.
 */
final class Native {
    private Native() {}

    /**
     * Loads the library unless it is loaded (cheap after the first call). Not a static initializer
     * on purpose: a failed load must throw the same detailed error on every attempt, not a bare
     * NoClassDefFoundError after the first.
     */
    static void ensureLoaded() {
        NativeLibrary.load();
    }

    /** Throws the exception matching {@code status} unless it is LM_OK. Call right after the failing call. */
    static void check(int status, Path file) {
        if (status != 0) {
            throw failure(status, file);
        }
    }

    static RuntimeException failure(int code, Path file) {
        String message = lastError();
        Status status = Status.of(code);
        return switch (status) {
            case BAD_FORMAT, UNSUPPORTED -> new ModelFormatException(status, message, file);
            case IO -> new ModelIOException(message, file);
            case CONTEXT_FULL -> new ContextFullException(message);
            case INVALID_ARGUMENT -> new InvalidArgumentException(message, file);
            case CANCELLED -> new CancelledException(message, file);
            case BUSY -> new ConcurrentModificationException(
                    (message.isBlank() ? "the session is in use by another thread" : message)
                            + " [LM_ERR_BUSY]: a Session must be used by one thread at a time");
            default -> new LaminaException(status, message, file);
        };
    }

    static String lastError() {
        return cString(lm_last_error());
    }

    /** Reads a NUL-terminated UTF-8 string the library owns. */
    static String cString(MemorySegment pointer) {
        if (pointer == null || pointer.equals(MemorySegment.NULL)) {
            return "";
        }
        return pointer.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
    }

    /** Reads a NUL-terminated string from a fixed-size char array inside a struct. */
    static String fixedString(MemorySegment chars) {
        long n = 0;
        while (n < chars.byteSize() && chars.get(ValueLayout.JAVA_BYTE, n) != 0) {
            n++;
        }
        return new String(chars.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    static String version() {
        ensureLoaded();
        return cString(lm_version());
    }

    static String cpuVariant() {
        ensureLoaded();
        return cString(lm_cpu_variant());
    }

    static String typeName(int type) {
        ensureLoaded();
        return cString(lm_type_name(type));
    }

    /** A native call that fills a caller buffer using the two-call pattern of lamina.h. */
    @FunctionalInterface
    interface BufferCall {
        int call(MemorySegment buf, long capacity, MemorySegment outLen);
    }

    /** Runs {@code call} with a buffer, growing it once if the library asks for more. */
    static byte[] twoCall(Arena arena, BufferCall call, Path file) {
        MemorySegment outLen = arena.allocate(ValueLayout.JAVA_LONG);
        MemorySegment buf = arena.allocate(256);
        int status = call.call(buf, buf.byteSize(), outLen);
        long needed = outLen.get(ValueLayout.JAVA_LONG, 0);
        if (status == bufferTooSmall()) {
            buf = arena.allocate(Math.max(needed, 1));
            status = call.call(buf, buf.byteSize(), outLen);
            needed = outLen.get(ValueLayout.JAVA_LONG, 0);
        }
        check(status, file);
        return buf.asSlice(0, needed).toArray(ValueLayout.JAVA_BYTE);
    }

    static String twoCallString(Arena arena, BufferCall call, Path file) {
        return new String(twoCall(arena, call, file), StandardCharsets.UTF_8);
    }

    static int bufferTooSmall() {
        return Status.BUFFER_TOO_SMALL.code();
    }
}
