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

    public final Map<String, Key> keys = new LinkedHashMap<>();
    public final Map<String, Tensor> tensors = new LinkedHashMap<>();
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
            int type = buf.getInt();
            if (key.equals("general.alignment") && type == 4) {
                alignment = Integer.toUnsignedLong(buf.getInt());
            } else {
                skipValue(type);
            }
            keys.put(key, new Key(key, nameOffset, type));
        }
        for (long i = 0; i < nTensors; i++) {
            long nameOffset = buf.position();
            String name = string();
            int dims = buf.getInt();
            buf.position(buf.position() + 8 * dims);
            long typeField = buf.position();
            int type = buf.getInt();
            long offsetField = buf.position();
            long offset = buf.getLong();
            tensors.put(name, new Tensor(name, nameOffset, typeField, offsetField, type, offset));
        }
        long pos = buf.position();
        dataStart = (pos + alignment - 1) / alignment * alignment;
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
