package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lamina.GenerationOptions;
import dev.lamina.LaminaException;
import dev.lamina.Model;
import dev.lamina.ModelFormatException;
import dev.lamina.ModelIOException;
import dev.lamina.ModelOptions;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 acceptance: a corpus of malformed GGUF files, made here from the shared
 * {@code llama2-mha-f32.gguf} (and the SentencePiece vocabulary file) by cutting them at every
 * section boundary or corrupting one field, each loaded through {@link Model#load}. Every file must
 * fail with the exception type of its status and a message naming the fault (key, tensor, offset,
 * value) and the file; the JVM keeps running, and after the whole corpus the untouched model still
 * loads and generates.
 */
class MalformedGgufTest {
    private static final String T0 = "token_embd.weight";
    private static final String U32_KEY = "tokenizer.ggml.bos_token_id";
    private static final String F32_KEY = "llama.rope.freq_base";
    private static final String BOOL_KEY = "tokenizer.ggml.add_bos_token";
    private static final int TYPE_U32 = 4, TYPE_F32 = 6, TYPE_BOOL = 7, TYPE_ARRAY = 9;

    @TempDir
    static Path dir;

    private static byte[] base;
    private static GgufLayout layout;
    private static byte[] vocab;
    private static GgufLayout vocabLayout;

    /** One malformed file and what loading it must give. */
    record Case(String name, Supplier<byte[]> make, boolean vocabOnly, Class<? extends LaminaException> type,
                Status status, List<String> needles) {}

    private static final List<Case> CASES = new ArrayList<>();

    private static void add(String name, Supplier<byte[]> make, Status status, String... needles) {
        add(name, make, false, status, needles);
    }

    private static void add(String name, Supplier<byte[]> make, boolean vocabOnly, Status status, String... needles) {
        Class<? extends LaminaException> type = switch (status) {
            case BAD_FORMAT, UNSUPPORTED -> ModelFormatException.class;
            case IO -> ModelIOException.class;
            default -> LaminaException.class;
        };
        CASES.add(new Case(name, make, vocabOnly, type, status, List.of(needles)));
    }

    private static synchronized void readBase() {
        if (base != null) {
            return;
        }
        try {
            base = Files.readAllBytes(TestData.model("llama2-mha-f32.gguf"));
            layout = GgufLayout.parse(base);
            vocab = Files.readAllBytes(TestData.root().resolve("vocab/ggml-vocab-llama-spm.gguf"));
            vocabLayout = GgufLayout.parse(vocab);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- byte surgery ---------------------------------------------------------------------------

    private static byte[] cut(long n) {
        return Arrays.copyOf(base, Math.toIntExact(n));
    }

    private static byte[] withU32(long at, int value) {
        byte[] b = base.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(Math.toIntExact(at), value);
        return b;
    }

    private static byte[] withU64(long at, long value) {
        byte[] b = base.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(Math.toIntExact(at), value);
        return b;
    }

    private static byte[] withByte(long at, int value) {
        byte[] b = base.clone();
        b[Math.toIntExact(at)] = (byte) value;
        return b;
    }

    private static GgufLayout.KeySpan key(String name, int type) {
        GgufLayout.KeySpan k = layout.keySpans.get(name);
        assertNotNull(k, "the base file has metadata " + name);
        if (type >= 0) {
            assertEquals(type, k.type(), "value type of " + name);
        }
        return k;
    }

    private static GgufLayout.KeySpan key(String name) {
        return key(name, -1);
    }

    private static GgufLayout.TensorSpan tensor(String name) {
        GgufLayout.TensorSpan t = layout.tensorSpans.get(name);
        assertNotNull(t, "the base file has tensor " + name);
        return t;
    }

    private static GgufEditor edit() {
        return new GgufEditor(base);
    }

    private static byte[] u32Value(int v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(TYPE_U32).putInt(v).array();
    }

    // ---- the corpus -----------------------------------------------------------------------------

    static {
        // Truncation at every section boundary and inside every kind of field.
        add("EmptyFile", () -> cut(0), Status.BAD_FORMAT, "is empty (0 bytes)", "not a GGUF file");
        add("CutInMagic", () -> cut(3), Status.BAD_FORMAT, "truncated", "magic");
        add("CutAfterMagic", () -> cut(4), Status.BAD_FORMAT, "truncated", "version");
        add("CutAfterVersion", () -> cut(8), Status.BAD_FORMAT, "truncated", "tensor count");
        add("CutAfterTensorCount", () -> cut(16), Status.BAD_FORMAT, "truncated", "metadata count");
        add("CutAfterHeader", () -> cut(24), Status.BAD_FORMAT, "truncated", "key of metadata entry 0");
        add("CutInFirstKey", () -> cut(24 + 8 + 3), Status.BAD_FORMAT,
                "key of metadata entry 0", "claims a string of", "past the end");
        add("CutBeforeValueType", () -> cut(key("general.architecture").typeAt()), Status.BAD_FORMAT,
                "truncated", "metadata 'general.architecture' type");
        add("CutInStringValue", () -> cut(key("general.architecture").valueAt() + 9), Status.BAD_FORMAT,
                "metadata 'general.architecture' claims a string of", "past the end");
        add("CutInU32Value", () -> cut(key(U32_KEY, TYPE_U32).valueAt() + 2), Status.BAD_FORMAT,
                "truncated", "metadata '" + U32_KEY + "'");
        add("CutInF32Value", () -> cut(key(F32_KEY, TYPE_F32).valueAt() + 1), Status.BAD_FORMAT,
                "truncated", "metadata '" + F32_KEY + "'");
        add("CutInBoolValue", () -> cut(key(BOOL_KEY, TYPE_BOOL).valueAt()), Status.BAD_FORMAT,
                "truncated", "metadata '" + BOOL_KEY + "'");
        add("CutInArrayElementType", () -> cut(key("tokenizer.ggml.tokens").valueAt() + 2), Status.BAD_FORMAT,
                "truncated", "'tokenizer.ggml.tokens' element type");
        add("CutInArrayCount", () -> cut(key("tokenizer.ggml.tokens").valueAt() + 4 + 5), Status.BAD_FORMAT,
                "truncated", "'tokenizer.ggml.tokens' element count");
        add("CutInStringArray", () -> cut(key("tokenizer.ggml.tokens").valueAt() + 12 + 100), Status.BAD_FORMAT,
                "'tokenizer.ggml.tokens'", "more than the file can hold");
        add("CutInLastToken", () -> cut(key("tokenizer.ggml.tokens").end() - 2), Status.BAD_FORMAT,
                "metadata 'tokenizer.ggml.tokens' claims a string of", "past the end");
        add("CutInNumericArray", () -> cut(key("tokenizer.ggml.scores").valueAt() + 12 + 10), Status.BAD_FORMAT,
                "'tokenizer.ggml.scores'", "past the end");
        add("CutBeforeTensorInfos", () -> cut(tensor(T0).start()), Status.BAD_FORMAT,
                "truncated", "name of tensor 0");
        add("CutInTensorDimCount", () -> cut(tensor(T0).dimsAt() + 1), Status.BAD_FORMAT,
                "truncated", "tensor '" + T0 + "' dimension count");
        add("CutInTensorSize", () -> cut(tensor(T0).neAt() + 12), Status.BAD_FORMAT,
                "truncated", "tensor '" + T0 + "' size");
        add("CutInTensorType", () -> cut(tensor(T0).typeAt() + 3), Status.BAD_FORMAT,
                "truncated", "tensor '" + T0 + "' type");
        add("CutInTensorOffset", () -> cut(tensor(T0).offsetAt() + 7), Status.BAD_FORMAT,
                "truncated", "tensor '" + T0 + "' offset");
        add("CutAtDataStart", () -> cut(layout.dataStart), Status.BAD_FORMAT,
                "lies past the end of the file", "truncated or corrupt");
        add("CutInLastTensorData", () -> cut(base.length - 1), Status.BAD_FORMAT,
                "data of tensor 'blk.1.ffn_down.weight'", "past the end");

        // Header fields.
        add("WrongMagic", () -> withByte(0, 'F'), Status.BAD_FORMAT, "not a GGUF file", "magic");
        add("ObsoleteVersion1", () -> withU32(4, 1), Status.UNSUPPORTED, "version 1");
        add("UnknownVersion", () -> withU32(4, 7), Status.BAD_FORMAT, "unknown GGUF version 7");

        // Flipped type ids: metadata value types and tensor types.
        add("UnknownValueType", () -> withU32(key(U32_KEY, TYPE_U32).typeAt(), 13), Status.BAD_FORMAT,
                "'" + U32_KEY + "'", "unknown value type 13");
        add("ArrayOfArrays", () -> withU32(key("tokenizer.ggml.scores").valueAt(), TYPE_ARRAY), Status.BAD_FORMAT,
                "'tokenizer.ggml.scores'", "unsupported element type 9");
        add("U32FlippedToString", () -> withU32(key("llama.context_length", TYPE_U32).typeAt(), 8), Status.BAD_FORMAT,
                "metadata 'llama.context_length' claims a string of", "past the end");
        add("UnknownTensorType", () -> withU32(tensor(T0).typeAt(), 99), Status.UNSUPPORTED,
                "'" + T0 + "'", "unknown tensor type id 99");
        add("NormVectorNotF32", () -> withU32(tensor("output_norm.weight").typeAt(), 1), Status.UNSUPPORTED,
                "'output_norm.weight'", "must be F32");
        add("RowNotMultipleOfBlock", () -> withU32(tensor(T0).typeAt(), 12 /* Q4_K: 256 per block */),
                Status.BAD_FORMAT, "'" + T0 + "'", "not a multiple of the Q4_K block size");

        // Bad offsets: past the end, wrapping, misaligned.
        add("TensorOffsetPastEnd", () -> withU64(tensor(T0).offsetAt(), 1L << 30), Status.BAD_FORMAT,
                "data of tensor '" + T0 + "'", "past the end");
        add("TensorOffsetWraps", () -> withU64(tensor(T0).offsetAt(), ~31L), Status.BAD_FORMAT,
                "data of tensor '" + T0 + "'", "past the end");
        add("MisalignedTensorOffset", () -> withU64(tensor("blk.0.attn_q.weight").offsetAt(), 8192512 + 4),
                Status.BAD_FORMAT, "'blk.0.attn_q.weight' offset 8192516", "not aligned to 32");
        add("AlignmentNotPowerOfTwo", () -> edit().setU32("general.alignment", 3).toBytes(), Status.BAD_FORMAT,
                "general.alignment", "power of two");

        // Sizes that overflow or cannot fit: rejected before any allocation.
        add("TrillionTensors", () -> withU64(8, 1_000_000_000_000L), Status.BAD_FORMAT, "claims 1000000000000 tensors");
        add("TrillionMetadataEntries", () -> withU64(16, 1_000_000_000_000L), Status.BAD_FORMAT,
                "claims 1000000000000 metadata entries");
        add("GigabyteKey", () -> withU64(24, 1L << 30), Status.BAD_FORMAT,
                "key of metadata entry 0", "1073741824 bytes", "past the end");
        add("GigabyteStringValue", () -> withU64(key("general.architecture").valueAt(), 1L << 30), Status.BAD_FORMAT,
                "'general.architecture'", "past the end");
        add("HugeStringArrayCount", () -> withU64(key("tokenizer.ggml.tokens").valueAt() + 4, 1L << 61),
                Status.BAD_FORMAT, "'tokenizer.ggml.tokens'", "more than the file can hold");
        add("HugeNumericArrayCount", () -> withU64(key("tokenizer.ggml.scores").valueAt() + 4, 1L << 62),
                Status.BAD_FORMAT, "'tokenizer.ggml.scores'", "past the end");
        add("ElementCountOverflows", () -> {
            byte[] b = withU64(tensor(T0).neAt(), 1L << 32);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(Math.toIntExact(tensor(T0).neAt() + 8), 1L << 32);
            return b;
        }, Status.BAD_FORMAT, "'" + T0 + "'", "absurd element count");
        add("DimensionOf2To62", () -> withU64(tensor(T0).neAt() + 8, 1L << 62), Status.BAD_FORMAT,
                "'" + T0 + "'", "absurd element count");
        add("ZeroSizedDimension", () -> withU64(tensor(T0).neAt(), 0), Status.BAD_FORMAT,
                "'" + T0 + "'", "invalid size 0 in dimension 0");
        add("FiveDimensions", () -> withU32(tensor(T0).dimsAt(), 5), Status.BAD_FORMAT, "'" + T0 + "'", "5 dimensions");

        // Bad UTF-8 in keys, values, token strings and tensor names.
        add("KeyNotUtf8", () -> withByte(key("general.architecture").start() + 8 + 2, 0xFF), Status.BAD_FORMAT,
                "key of metadata entry", "not valid UTF-8");
        add("TokenNotUtf8", () -> {
            GgufEditor e = edit();
            List<byte[]> tokens = e.stringArray("tokenizer.ggml.tokens");
            tokens.set(5, new byte[] {(byte) 0xC0, (byte) 0xAF}); // overlong '/'
            return e.setStringArray("tokenizer.ggml.tokens", tokens).toBytes();
        }, Status.BAD_FORMAT, "'tokenizer.ggml.tokens' element 5", "not valid UTF-8");
        add("StringValueNotUtf8",
                () -> edit().setString("general.name", "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1)).toBytes(),
                Status.BAD_FORMAT, "'general.name'", "not valid UTF-8");
        add("TensorNameNotUtf8", () -> withByte(tensor(T0).start() + 8 + 1, 0xED), Status.BAD_FORMAT,
                "name of tensor", "not valid UTF-8");

        // Duplicates.
        add("DuplicateKey", () -> edit().append("zz.dup", u32Value(1)).append("zz.dup", u32Value(2)).toBytes(),
                Status.BAD_FORMAT, "metadata key 'zz.dup' appears twice");
        add("DuplicateRequiredKey", () -> edit().append("llama.block_count", u32Value(2)).toBytes(),
                Status.BAD_FORMAT, "metadata key 'llama.block_count' appears twice");
        add("DuplicateTensor", () -> {
            byte[] zero = new byte[16];
            return edit().addTensor("zz.dup", 0, new long[] {4}, zero).addTensor("zz.dup", 0, new long[] {4}, zero)
                    .toBytes();
        }, Status.BAD_FORMAT, "tensor 'zz.dup' appears twice");
        add("DuplicateTokenText", () -> {
            GgufEditor e = edit();
            List<byte[]> tokens = e.stringArray("tokenizer.ggml.tokens");
            tokens.set(20000, tokens.get(10000));
            return e.setStringArray("tokenizer.ggml.tokens", tokens).toBytes();
        }, Status.BAD_FORMAT, "tokenizer.ggml.tokens", "twice");

        // Required keys with the wrong type or value, missing keys and tensors, wrong shapes.
        add("ArchitectureNotString", () -> edit().setU32("general.architecture", 1).toBytes(), Status.BAD_FORMAT,
                "'general.architecture' should be a string but is u32");
        add("BlockCountNotInteger", () -> edit().setString("llama.block_count", "2").toBytes(), Status.BAD_FORMAT,
                "'llama.block_count' should be an integer but is string");
        add("TokensNotArray", () -> edit().setU32("tokenizer.ggml.tokens", 3).toBytes(), Status.BAD_FORMAT,
                "'tokenizer.ggml.tokens' should be an array but is u32");
        add("FreqBaseNotNumber", () -> edit().setString("llama.rope.freq_base", "1e4").toBytes(), Status.BAD_FORMAT,
                "'llama.rope.freq_base' should be a number but is string");
        add("ZeroLayers", () -> edit().setU32("llama.block_count", 0).toBytes(), Status.BAD_FORMAT,
                "'llama.block_count' = 0 is out of range");
        add("MissingContextLength", () -> edit().remove("llama.context_length").toBytes(), Status.BAD_FORMAT,
                "required metadata key 'llama.context_length' is missing");
        add("MissingTokens", () -> edit().remove("tokenizer.ggml.tokens").toBytes(), Status.BAD_FORMAT,
                "required metadata key 'tokenizer.ggml.tokens' is missing");
        add("UnknownArchitecture", () -> edit().setString("general.architecture", "gpt9").toBytes(),
                Status.UNSUPPORTED, "architecture 'gpt9' is not supported");
        add("MissingTensor", () -> edit().removeTensor("blk.0.ffn_up.weight").toBytes(), Status.BAD_FORMAT,
                "required tensor 'blk.0.ffn_up.weight' is missing");
        add("MissingLayerTensor", () -> edit().setU32("llama.block_count", 3).toBytes(), Status.BAD_FORMAT,
                "required tensor 'blk.2.attn_norm.weight' is missing");
        add("WrongTensorShape", () -> {
            GgufEditor e = edit();
            GgufEditor.TensorEntry t = e.tensor("blk.0.ffn_up.weight");
            return e.replaceTensor("blk.0.ffn_up.weight",
                    new GgufEditor.TensorEntry(t.name(), new long[] {t.ne()[1], t.ne()[0]}, t.type(), t.offset()))
                    .toBytes();
        }, Status.BAD_FORMAT, "tensor 'blk.0.ffn_up.weight' has shape [192, 64], expected [64, 192]");
        add("EmbeddingWidthDisagrees", () -> edit().setU32("llama.embedding_length", 128).toBytes(), Status.BAD_FORMAT,
                "tensor '" + T0 + "' has shape [64, 32000], expected [128, 32000]");
        add("TokenCountDisagreesWithEmbedding", () -> {
            GgufEditor e = edit();
            List<byte[]> tokens = e.stringArray("tokenizer.ggml.tokens");
            return e.setStringArray("tokenizer.ggml.tokens", tokens.subList(0, tokens.size() - 1)).toBytes();
        }, Status.BAD_FORMAT, "tensor '" + T0 + "' has shape [64, 32000], expected [64, 31999]");

        // The vocabulary file, loaded vocab-only (the tokenizer path of the loader).
        add("VocabCutInTokens",
                () -> Arrays.copyOf(vocab, Math.toIntExact(vocabLayout.keySpans.get("tokenizer.ggml.tokens").end() - 5)),
                true, Status.BAD_FORMAT, "truncated", "metadata 'tokenizer.ggml.tokens'");
        add("VocabTokenNotUtf8", () -> {
            GgufEditor e = new GgufEditor(vocab);
            List<byte[]> tokens = e.stringArray("tokenizer.ggml.tokens");
            tokens.set(1000, new byte[] {'a', (byte) 0xE2, (byte) 0x82}); // cut 3-byte sequence
            return e.setStringArray("tokenizer.ggml.tokens", tokens).toBytes();
        }, true, Status.BAD_FORMAT, "'tokenizer.ggml.tokens' element 1000", "not valid UTF-8");
    }

    // ---- the tests ------------------------------------------------------------------------------

    /** SHA-256 of each case's file: the corpus must be distinct files, not one fault under many names. */
    private static final Map<String, String> DIGESTS = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicTest> everyMalformedFileIsRefusedWithANamedCause() {
        readBase();
        Stream<DynamicTest> corpus = CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
        Stream<DynamicTest> after = Stream.of(
                DynamicTest.dynamicTest("CorpusIsLargeAndDistinct", () -> {
                    assertTrue(CASES.size() >= 30, "corpus of " + CASES.size());
                    assertEquals(CASES.size(), DIGESTS.size(), "every case ran: " + DIGESTS.keySet());
                    assertEquals(CASES.size(), DIGESTS.values().stream().distinct().count(),
                            "two cases produce the same file");
                }),
                DynamicTest.dynamicTest("ValidModelStillLoadsAndGenerates", MalformedGgufTest::validModelStillWorks));
        return Stream.concat(corpus, after);
    }

    private static void check(Case c) throws IOException {
        byte[] bytes = c.make().get();
        assertFalse(Arrays.equals(bytes, c.vocabOnly() ? vocab : base), "the case changed the file");
        DIGESTS.put(c.name(), sha256(bytes));
        Path file = Files.write(dir.resolve(c.name() + ".gguf"), bytes);
        try {
            ModelOptions options = ModelOptions.builder().vocabOnly(c.vocabOnly()).build();
            LaminaException e;
            try (Model unexpected = Model.load(file, options)) {
                fail("loaded " + c.name() + " without an error: " + unexpected.info());
                return;
            } catch (LaminaException thrown) {
                e = thrown;
            }
            System.out.println(c.name() + " -> " + e.getClass().getSimpleName() + ": " + e.getMessage());
            assertInstanceOf(c.type(), e, "exception type for " + c.status() + ": " + e);
            assertEquals(c.status(), e.status(), e.getMessage());
            assertEquals(file.toAbsolutePath(), e.file(), "names the file");
            for (String needle : c.needles()) {
                assertTrue(e.getMessage().contains(needle), "expected \"" + needle + "\" in: " + e.getMessage());
            }
            assertTrue(e.getMessage().contains(c.name() + ".gguf"), "message names the file: " + e.getMessage());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static void validModelStillWorks() {
        TestData.Golden golden = TestData.golden("llama2-mha-f32");
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(SessionOptions.builder().contextLength(64).build())) {
            int[] ids;
            try (var g = session.generate(golden.promptIds(), GenerationOptions.greedy().maxTokens(8))) {
                ids = g.stream().mapToInt(dev.lamina.GeneratedToken::id).toArray();
            }
            assertArrayEquals(Arrays.copyOf(golden.greedyIds(), 8), ids, "llama.cpp's greedy tokens");
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
