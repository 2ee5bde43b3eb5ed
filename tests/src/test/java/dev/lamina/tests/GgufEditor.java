package dev.lamina.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rewrites a well-formed GGUF file with changed metadata or tensor infos, for tests that need a
 * structurally valid file with one semantic fault (a key of the wrong type, a missing tensor, a
 * duplicate). Metadata values are kept as raw bytes (type id + value); tensor data offsets are
 * relative to the data section, so the data is copied unchanged behind the new header.
 * Independent of the native GGUF writer on purpose.
 */
public final class GgufEditor {
    private static final int U32 = 4, F32 = 6, STRING = 8, ARRAY = 9;
    private static final int TENSOR_F32 = 0;

    /** One metadata entry: key bytes, then the u32 type and value exactly as in the file. */
    public record Entry(byte[] key, byte[] typeAndValue) {}

    /** One tensor info. */
    public record TensorEntry(byte[] name, long[] ne, int type, long offset) {}

    private final int version;
    private final long alignment;
    public final List<Entry> entries = new ArrayList<>();
    public final List<TensorEntry> tensors = new ArrayList<>();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    public GgufEditor(byte[] file) {
        GgufLayout layout = GgufLayout.parse(file);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        version = b.getInt(4);
        alignment = layout.alignment;
        for (GgufLayout.KeySpan k : layout.keySpans.values()) {
            entries.add(new Entry(Arrays.copyOfRange(file, (int) k.start() + 8, (int) k.typeAt()),
                    Arrays.copyOfRange(file, (int) k.typeAt(), (int) k.end())));
        }
        for (GgufLayout.TensorSpan t : layout.tensorSpans.values()) {
            tensors.add(new TensorEntry(Arrays.copyOfRange(file, (int) t.start() + 8, (int) t.dimsAt()), t.ne().clone(),
                    b.getInt((int) t.typeAt()), b.getLong((int) t.offsetAt())));
        }
        if (layout.dataStart < file.length) { // a vocabulary-only file has no data section
            data.write(file, (int) layout.dataStart, (int) (file.length - layout.dataStart));
        }
    }

    private int indexOf(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < entries.size(); i++) {
            if (Arrays.equals(entries.get(i).key(), k)) {
                return i;
            }
        }
        return -1;
    }

    /** Replaces the value of {@code key} (keeping its place) or appends the entry. */
    public GgufEditor set(String key, byte[] typeAndValue) {
        Entry e = new Entry(key.getBytes(StandardCharsets.UTF_8), typeAndValue);
        int i = indexOf(key);
        if (i >= 0) {
            entries.set(i, e);
        } else {
            entries.add(e);
        }
        return this;
    }

    public GgufEditor setU32(String key, int value) {
        return set(key, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(U32).putInt(value).array());
    }

    public GgufEditor setF32(String key, float value) {
        return set(key, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(F32).putFloat(value).array());
    }

    public GgufEditor setString(String key, byte[] value) {
        return set(key, ByteBuffer.allocate(12 + value.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(STRING).putLong(value.length).put(value).array());
    }

    public GgufEditor setString(String key, String value) {
        return setString(key, value.getBytes(StandardCharsets.UTF_8));
    }

    public GgufEditor setStringArray(String key, List<byte[]> items) {
        int size = 16;
        for (byte[] s : items) {
            size += 8 + s.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(ARRAY).putInt(STRING).putLong(items.size());
        for (byte[] s : items) {
            b.putLong(s.length).put(s);
        }
        return set(key, b.array());
    }

    /** The elements of a string array entry. */
    public List<byte[]> stringArray(String key) {
        int i = indexOf(key);
        if (i < 0) {
            throw new IllegalArgumentException("no metadata " + key);
        }
        ByteBuffer b = ByteBuffer.wrap(entries.get(i).typeAndValue()).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != ARRAY || b.getInt() != STRING) {
            throw new IllegalArgumentException(key + " is not a string array");
        }
        long n = b.getLong();
        List<byte[]> out = new ArrayList<>();
        for (long e = 0; e < n; e++) {
            byte[] s = new byte[Math.toIntExact(b.getLong())];
            b.get(s);
            out.add(s);
        }
        return out;
    }

    public GgufEditor remove(String key) {
        int i = indexOf(key);
        if (i < 0) {
            throw new IllegalArgumentException("no metadata " + key);
        }
        entries.remove(i);
        return this;
    }

    /** Appends an entry even if the key exists (for duplicate-key files). */
    public GgufEditor append(String key, byte[] typeAndValue) {
        entries.add(new Entry(key.getBytes(StandardCharsets.UTF_8), typeAndValue));
        return this;
    }

    public TensorEntry tensor(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return tensors.stream().filter(t -> Arrays.equals(t.name(), n)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no tensor " + name));
    }

    public GgufEditor removeTensor(String name) {
        tensors.remove(tensor(name));
        return this;
    }

    public GgufEditor replaceTensor(String name, TensorEntry replacement) {
        tensors.set(tensors.indexOf(tensor(name)), replacement);
        return this;
    }

    /** Overwrites element {@code index} of the F32 tensor {@code name} (a weight holding a NaN, say). */
    public GgufEditor setF32Element(String name, long index, float value) {
        TensorEntry t = tensor(name);
        if (t.type() != TENSOR_F32) {
            throw new IllegalArgumentException(name + " is not F32 (type " + t.type() + ")");
        }
        byte[] bytes = data.toByteArray();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putFloat(Math.toIntExact(t.offset() + 4 * index), value);
        data.reset();
        data.writeBytes(bytes);
        return this;
    }

    /** Adds a tensor whose bytes go to the end of the data section (aligned). */
    public GgufEditor addTensor(String name, int type, long[] ne, byte[] bytes) {
        while (data.size() % alignment != 0) {
            data.write(0);
        }
        tensors.add(new TensorEntry(name.getBytes(StandardCharsets.UTF_8), ne, type, data.size()));
        data.writeBytes(bytes);
        return this;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.size() + 1024 * 1024);
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0x46554747).putInt(version).putLong(tensors.size()).putLong(entries.size());
        out.writeBytes(header.array());
        for (Entry e : entries) {
            out.writeBytes(u64(e.key().length));
            out.writeBytes(e.key());
            out.writeBytes(e.typeAndValue());
        }
        for (TensorEntry t : tensors) {
            ByteBuffer b = ByteBuffer.allocate(8 + t.name().length + 4 + 8 * t.ne().length + 12)
                    .order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(t.name().length).put(t.name()).putInt(t.ne().length);
            for (long n : t.ne()) {
                b.putLong(n);
            }
            b.putInt(t.type()).putLong(t.offset());
            out.writeBytes(b.array());
        }
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        try {
            data.writeTo(out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
