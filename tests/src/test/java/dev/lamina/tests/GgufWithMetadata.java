package dev.lamina.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a copy of a GGUF file with one more string metadata entry (e.g. a chat template for a
 * model that has none). Tensor data offsets are relative to the data section, so the header grows,
 * the data section moves to the next aligned offset and every tensor info stays as it is.
 * Independent of the native GGUF writer on purpose.
 */
public final class GgufWithMetadata {
    private static final int TYPE_STRING = 8;
    private static final int TYPE_UINT32 = 4;

    private GgufWithMetadata() {}

    public static Path copyWithString(Path source, Path target, String key, String value) throws IOException {
        byte[] in = Files.readAllBytes(source);
        GgufLayout layout = GgufLayout.read(source);
        if (layout.keys.containsKey(key)) {
            throw new IllegalArgumentException(source + " already has metadata " + key);
        }
        if (layout.tensors.isEmpty()) {
            throw new IllegalArgumentException(source + " has no tensors; this helper copies model files");
        }
        GgufLayout.Tensor first = layout.tensors.values().iterator().next();
        GgufLayout.Tensor last = null;
        for (GgufLayout.Tensor t : layout.tensors.values()) {
            last = t;
        }
        long kvEnd = first.nameOffset();
        long infoEnd = last.offsetFieldOffset() + Long.BYTES;
        long alignment = alignment(in, layout);

        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + value.length() * 3 + 1024);
        long nKv = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).getLong(16);
        ByteBuffer newHeader = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        newHeader.put(in, 0, 16).putLong(nKv + 1);
        out.write(newHeader.array(), 0, 24);
        out.write(in, 24, (int) (kvEnd - 24));
        out.writeBytes(stringEntry(key, value));
        out.write(in, (int) kvEnd, (int) (infoEnd - kvEnd));
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        out.write(in, (int) layout.dataStart, (int) (in.length - layout.dataStart));
        Files.write(target, out.toByteArray());
        return target;
    }

    private static byte[] stringEntry(String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + k.length + 4 + 8 + v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(k.length).put(k).putInt(TYPE_STRING).putLong(v.length).put(v);
        return b.array();
    }

    private static long alignment(byte[] in, GgufLayout layout) {
        GgufLayout.Key a = layout.keys.get("general.alignment");
        if (a == null || a.valueType() != TYPE_UINT32) {
            return 32;
        }
        ByteBuffer b = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
        long nameLength = b.getLong((int) a.nameOffset());
        return Integer.toUnsignedLong(b.getInt((int) (a.nameOffset() + 8 + nameLength + 4)));
    }
}
