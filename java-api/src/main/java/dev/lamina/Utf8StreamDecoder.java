package dev.lamina;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a stream of token pieces into text without ever splitting a multi-byte UTF-8 character:
 * bytes of a character that is not complete yet are held until the piece that completes it.
 * Invalid sequences become U+FFFD. Not thread-safe (owned by one generation).
 */
final class Utf8StreamDecoder {
    private byte[] bytes = new byte[64];
    private int length;

    /** Adds {@code n} bytes from a native buffer. */
    void append(MemorySegment source, int n) {
        ensureCapacity(length + n);
        MemorySegment.copy(source, ValueLayout.JAVA_BYTE, 0, bytes, length, n);
        length += n;
    }

    /** Adds bytes from a Java array. */
    void append(byte[] source) {
        ensureCapacity(length + source.length);
        System.arraycopy(source, 0, bytes, length, source.length);
        length += source.length;
    }

    /** Returns the text of every complete character appended so far and keeps an incomplete tail. */
    String take() {
        int complete = completePrefixLength();
        if (complete == 0) {
            return "";
        }
        String text = new String(bytes, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(bytes, complete, bytes, 0, length - complete);
        length -= complete;
        return text;
    }

    /** Returns everything still held, incomplete characters replaced by U+FFFD. */
    String flush() {
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        length = 0;
        return text;
    }

    /** Number of bytes held back. */
    int pending() {
        return length;
    }

    /**
     * Length of the longest prefix that does not end inside a character: looks back at most three
     * bytes for the lead byte of the last character and checks whether all its bytes are there.
     */
    private int completePrefixLength() {
        int lookBack = Math.min(3, length);
        for (int i = 1; i <= lookBack; i++) {
            int b = bytes[length - i] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: the lead is further back
            }
            int needed = (b & 0x80) == 0 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            return needed > i ? length - i : length;
        }
        return length; // only continuation bytes: invalid, let the decoder replace them
    }

    private void ensureCapacity(int capacity) {
        if (capacity > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(capacity, bytes.length * 2));
        }
    }
}
