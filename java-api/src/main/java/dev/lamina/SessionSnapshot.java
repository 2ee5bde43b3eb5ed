package dev.lamina;

import java.util.Arrays;

/**
 * A {@link Session}'s state at one moment (its keys and values and last logits), taken with
 * {@link Session#snapshot()} and put back with {@link Session#restore}. The bytes are the
 * native library's session-state format (the same as {@link Session#saveState} writes), so a
 * snapshot can be stored and read back with {@link #toBytes()} / {@link #fromBytes}.
 */
public final class SessionSnapshot {
    private final byte[] bytes;

    SessionSnapshot(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A snapshot of bytes from {@link #toBytes()} (checked when restored). */
    public static SessionSnapshot fromBytes(byte[] bytes) {
        return new SessionSnapshot(bytes.clone());
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The snapshot's size in bytes. */
    public int size() {
        return bytes.length;
    }

    byte[] bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return "SessionSnapshot[" + bytes.length + " bytes, " + Integer.toHexString(Arrays.hashCode(bytes)) + "]";
    }
}
