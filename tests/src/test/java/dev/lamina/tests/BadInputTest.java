package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.ContextFullException;
import dev.lamina.InvalidArgumentException;
import dev.lamina.LaminaException;
import dev.lamina.Model;
import dev.lamina.ModelFormatException;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupt copies of a shared model: each load fails with a typed exception whose message names the
 * problem, the JVM keeps running, and a valid model still loads afterwards.
 */
class BadInputTest {
    private static final String MODEL = "stories260K-f32.gguf";
    private static Path source;
    private static byte[] original;
    private static GgufLayout layout;

    @TempDir
    Path dir;

    @BeforeAll
    static void readSource() throws IOException {
        source = TestData.model(MODEL);
        original = Files.readAllBytes(source);
        layout = GgufLayout.read(source);
    }

    @AfterEach
    void validModelStillLoads() {
        try (Model model = Model.load(source)) {
            assertEquals(512, model.info().vocabSize());
        }
    }

    @Test
    void truncatedFile() throws IOException {
        // Cut inside the metadata: the tokenizer arrays are still being read.
        long cut = layout.keys.get("tokenizer.ggml.scores").nameOffset() + 100;
        Path bad = write("truncated.gguf", Arrays.copyOf(original, (int) cut));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(bad));
        assertEquals(Status.BAD_FORMAT, e.status());
        assertMentions(e, "truncat|end of (the )?file|eof|past the end|beyond|too short|unexpected end");
        assertTrue(e.getMessage().contains("tokenizer.ggml.scores"), "names the key being read: " + e.getMessage());
        assertEquals(bad.toAbsolutePath(), e.file());
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] bytes = original.clone();
        bytes[0] = 'G';
        bytes[1] = 'G';
        bytes[2] = 'M';
        bytes[3] = 'L';
        Path bad = write("magic.gguf", bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(bad));
        assertMentions(e, "magic|not a gguf");
    }

    @Test
    void tensorDataPastEndOfFile() throws IOException {
        GgufLayout.Tensor tensor = layout.tensors.get("blk.2.attn_q.weight");
        byte[] bytes = original.clone();
        long pastEnd = (original.length - layout.dataStart + 4096) / 32 * 32;
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong((int) tensor.offsetFieldOffset(), pastEnd);
        Path bad = write("data-past-eof.gguf", bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(bad));
        assertTrue(e.getMessage().contains("blk.2.attn_q.weight"), "names the tensor: " + e.getMessage());
        assertMentions(e, "past the end|beyond|truncat");
    }

    @Test
    void tensorDataCutOffAtTheEnd() throws IOException {
        // The last tensor in data order loses its tail.
        GgufLayout.Tensor last = layout.tensors.values().stream()
                .max(java.util.Comparator.comparingLong(GgufLayout.Tensor::dataOffset)).orElseThrow();
        Path bad = write("cut-data.gguf", Arrays.copyOf(original, original.length - 64));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(bad));
        assertTrue(e.getMessage().contains(last.name()), "names the tensor " + last.name() + ": " + e.getMessage());
    }

    @Test
    void unknownTensorType() throws IOException {
        GgufLayout.Tensor tensor = layout.tensors.get("blk.1.ffn_down.weight");
        byte[] bytes = original.clone();
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt((int) tensor.typeFieldOffset(), 9999);
        Path bad = write("unknown-type.gguf", bytes);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(bad));
        assertTrue(e.getMessage().contains("blk.1.ffn_down.weight") && e.getMessage().contains("9999"),
                "names the tensor and the type: " + e.getMessage());
        assertTrue(e.status() == Status.BAD_FORMAT || e.status() == Status.UNSUPPORTED, e.status().toString());
    }

    @Test
    void missingRequiredTensor() throws IOException {
        Path bad = write("missing-tensor.gguf",
                renameAt(layout.tensors.get("blk.1.ffn_up.weight").nameOffset(), "blk.1.ffn_up.weight", "blk.1.ffn_up.weighX"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(bad));
        assertTrue(e.getMessage().contains("blk.1.ffn_up.weight"), "names the tensor: " + e.getMessage());
    }

    @Test
    void missingRequiredKey() throws IOException {
        Path bad = write("missing-key.gguf",
                renameAt(layout.keys.get("llama.embedding_length").nameOffset(), "llama.embedding_length", "llama.embedding_lengtX"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(bad));
        assertTrue(e.getMessage().contains("llama.embedding_length"), "names the key: " + e.getMessage());
    }

    @Test
    void vocabIdOutOfRange() {
        try (Model model = Model.load(source);
             Session session = model.newSession(SessionOptions.builder().contextLength(32).build())) {
            int vocab = model.info().vocabSize();
            InvalidArgumentException piece = assertThrows(InvalidArgumentException.class,
                    () -> model.tokenizer().decodePiece(vocab));
            assertTrue(piece.getMessage().contains(Integer.toString(vocab)), "names the id: " + piece.getMessage());
            assertThrows(InvalidArgumentException.class, () -> model.tokenizer().decodePiece(-1));

            InvalidArgumentException eval = assertThrows(InvalidArgumentException.class,
                    () -> session.evaluate(new int[] {1, vocab + 7}));
            assertTrue(eval.getMessage().contains(Integer.toString(vocab + 7)), "names the id: " + eval.getMessage());
            // The session is still usable after the refusal.
            session.evaluate(new int[] {1}, 0, false);
            assertEquals(1, session.position());
        }
    }

    @Test
    void promptLongerThanTheContext() {
        try (Model model = Model.load(source);
             Session session = model.newSession(SessionOptions.builder().contextLength(16).build())) {
            int[] tokens = new int[17];
            Arrays.fill(tokens, 300);
            tokens[0] = 1;
            ContextFullException e = assertThrows(ContextFullException.class, () -> session.evaluate(tokens));
            assertEquals(Status.CONTEXT_FULL, e.status());
            assertMentions(e, "context");
            LaminaException viaGenerate = assertThrows(LaminaException.class,
                    () -> session.generate(tokens, dev.lamina.GenerationOptions.greedy()));
            assertInstanceOf(ContextFullException.class, viaGenerate);
            session.evaluate(Arrays.copyOf(tokens, 16));
            assertEquals(16, session.position());
        }
    }

    @Test
    void missingFileIsAnIoError() {
        Path missing = dir.resolve("does-not-exist.gguf");
        LaminaException e = assertThrows(LaminaException.class, () -> Model.load(missing));
        assertEquals(Status.IO, e.status());
        assertTrue(e.getMessage().contains("does-not-exist.gguf"), e.getMessage());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** A copy with a same-length replacement of the string at {@code offset} (its u64 length first). */
    private static byte[] renameAt(long offset, String from, String to) {
        byte[] f = from.getBytes(StandardCharsets.UTF_8);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        assertEquals(f.length, t.length);
        byte[] bytes = original.clone();
        int start = (int) offset + 8;
        assertEquals(from, new String(bytes, start, f.length, StandardCharsets.UTF_8), "layout found the string");
        System.arraycopy(t, 0, bytes, start, t.length);
        return bytes;
    }

    private static void assertMentions(Exception e, String regex) {
        assertTrue(Pattern.compile(regex).matcher(e.getMessage().toLowerCase(Locale.ROOT)).find(),
                "message should match /" + regex + "/: " + e.getMessage());
    }
}
