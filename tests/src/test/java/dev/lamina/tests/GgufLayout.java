package dev.lamina.tests;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Just enough of a GGUF reader to find byte offsets for corrupting copies of a model in tests:
 * where each metadata key's name is, and where each tensor's name, type and data offset fields are.
 * Independent of the native parser on purpose.
 */
public final class GgufLayout {
    /** Where one metadata key sits in the file. */
    public record Key(String name, long nameOffset, int valueType) {}

    /** Where one tensor's info fields sit, and where its data lives (relative to the data section). */
    public record Tensor(String name, long nameOffset, long typeFieldOffset, long offsetFieldOffset,
                         int type, long dataOffset) {}

    /**
     * Every field of one metadata entry: the key's length field, the u32 value type, the value (for
     * arrays: the u32 element type, then the u64 count), and the end of the entry.
     */
    public record KeySpan(String name, long start, long typeAt, long valueAt, long end, int type, int elementType) {}

    /** Every field of one tensor info: the name's length field, n_dims, the first size, type, offset. */
    public record TensorSpan(String name, long start, long dimsAt, long neAt, long typeAt, long offsetAt, long end,
                             long[] ne) {}

    public final Map<String, Key> keys = new LinkedHashMap<>();
    public final Map<String, Tensor> tensors = new LinkedHashMap<>();
    public final Map<String, KeySpan> keySpans = new LinkedHashMap<>();
    public final Map<String, TensorSpan> tensorSpans = new LinkedHashMap<>();
    public final long infosEnd;
    public final long alignment;
    public final long dataStart;
    public final long fileSize;

    private final ByteBuffer buf;

    private GgufLayout(byte[] bytes) {
        buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        fileSize = bytes.length;
        if (buf.getInt() != 0x46554747) { // "GGUF"
            throw new IllegalArgumentException("not a GGUF file");
        }
        buf.getInt(); // version
        long nTensors = buf.getLong();
        long nKv = buf.getLong();
        long alignment = 32;
        for (long i = 0; i < nKv; i++) {
            long nameOffset = buf.position();
            String key = string();
            long typeAt = buf.position();
            int type = buf.getInt();
            long valueAt = buf.position();
            int elementType = type == 9 ? buf.getInt(buf.position()) : -1;
            if (key.equals("general.alignment") && type == 4) {
                alignment = Integer.toUnsignedLong(buf.getInt());
            } else {
                skipValue(type);
            }
            keys.put(key, new Key(key, nameOffset, type));
            keySpans.put(key, new KeySpan(key, nameOffset, typeAt, valueAt, buf.position(), type, elementType));
        }
        for (long i = 0; i < nTensors; i++) {
            long nameOffset = buf.position();
            String name = string();
            long dimsAt = buf.position();
            int dims = buf.getInt();
            long neAt = buf.position();
            long[] ne = new long[dims];
            for (int d = 0; d < dims; d++) {
                ne[d] = buf.getLong();
            }
            long typeField = buf.position();
            int type = buf.getInt();
            long offsetField = buf.position();
            long offset = buf.getLong();
            tensors.put(name, new Tensor(name, nameOffset, typeField, offsetField, type, offset));
            tensorSpans.put(name, new TensorSpan(name, nameOffset, dimsAt, neAt, typeField, offsetField,
                    buf.position(), ne));
        }
        long pos = buf.position();
        infosEnd = pos;
        this.alignment = alignment;
        dataStart = (pos + alignment - 1) / alignment * alignment;
    }

    /** The layout of a well-formed file held in memory. */
    public static GgufLayout parse(byte[] bytes) {
        return new GgufLayout(bytes);
    }

    public static GgufLayout read(Path file) throws IOException {
        return new GgufLayout(Files.readAllBytes(file));
    }

    private String string() {
        int len = Math.toIntExact(buf.getLong());
        byte[] b = new byte[len];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private void skipValue(int type) {
        switch (type) {
            case 0, 1, 7 -> buf.position(buf.position() + 1);   // u8, i8, bool
            case 2, 3 -> buf.position(buf.position() + 2);      // u16, i16
            case 4, 5, 6 -> buf.position(buf.position() + 4);   // u32, i32, f32
            case 10, 11, 12 -> buf.position(buf.position() + 8); // u64, i64, f64
            case 8 -> string();
            case 9 -> {
                int elementType = buf.getInt();
                long n = buf.getLong();
                for (long i = 0; i < n; i++) {
                    skipValue(elementType);
                }
            }
            default -> throw new IllegalArgumentException("unknown GGUF value type " + type + " at " + buf.position());
        }
    }
}
