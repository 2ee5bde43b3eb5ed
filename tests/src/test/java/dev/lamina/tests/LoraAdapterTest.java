package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.InvalidArgumentException;
import dev.lamina.KvType;
import dev.lamina.LoraAdapter;
import dev.lamina.LoraSynthesizeOptions;
import dev.lamina.Model;
import dev.lamina.ModelOptions;
import dev.lamina.ModelWriter;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA adapters through the public API on stories260K: random adapters written by
 * {@link ModelWriter#synthesizeLora} as reference/lora/README.md says give llama.cpp's logits
 * (applied on a session and loaded with the model), scale 0 and removal give the base model, and
 * misuse is refused naming the problem; the CLI's {@code synth-lora} and {@code --lora}.
 */
class LoraAdapterTest {
    private static final Path REFERENCE = Path.of("reference", "lora");
    private static final int VOCAB = 512;
    private static final double F32_TOLERANCE = 1e-3;
    private static final double F16_TOLERANCE = 5e-3;

    @TempDir
    Path dir;

    /** The prompt of reference/lora/generate.mjs. */
    private static int[] prompt() {
        int[] p = new int[32];
        for (int i = 0; i < p.length; i++) {
            p[i] = 1 + (i * 37 + 11) % 500;
        }
        return p;
    }

    private static Path base() {
        return TestData.model("stories260K-f32.gguf");
    }

    private Path qvd() {
        Path out = dir.resolve("qvd-f32.gguf");
        ModelWriter.synthesizeLora(base(), out,
                new LoraSynthesizeOptions(List.of("attn_q", "attn_v", "ffn_down"), "F32", 8, 16f, 1L));
        return out;
    }

    private Path kuo() {
        Path out = dir.resolve("kuo-f16.gguf");
        ModelWriter.synthesizeLora(base(), out,
                new LoraSynthesizeOptions(List.of("attn_k", "ffn_up", "attn_output"), "F16", 4, 0f, 2L));
        return out;
    }

    private static Session session(Model model) {
        return model.newSession(SessionOptions.builder().contextLength(64).threads(2).kvType(KvType.F32).build());
    }

    private static float[][] logits(Session session) {
        int[] p = prompt();
        session.evaluate(p, 0, true);
        float[][] rows = new float[p.length][];
        for (int r = 0; r < p.length; r++) {
            rows[r] = session.logitsArray(r);
        }
        return rows;
    }

    private static float[][] reference(String name) throws IOException {
        byte[] bytes = Files.readAllBytes(REFERENCE.resolve(name));
        int n = prompt().length;
        assertEquals(n * VOCAB * 4, bytes.length, name + ": rows of " + VOCAB + " floats");
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[][] rows = new float[n][VOCAB];
        for (float[] row : rows) {
            b.asFloatBuffer().get(row);
            b.position(b.position() + VOCAB * 4);
        }
        return rows;
    }

    private static void assertClose(float[][] reference, float[][] ours, double tolerance, String what) {
        RowComparison worst = RowComparison.worst(ours, reference);
        assertTrue(worst.relativeError() <= tolerance, what + ": " + worst + " (tolerance " + tolerance + ")");
    }

    @Test
    void matchesLlamaCppAtTwoScalesAndZeroAndRemovalGiveTheBase() throws IOException {
        try (Model model = Model.load(base());
             LoraAdapter adapter = model.loadLoraAdapter(qvd());
             Session session = session(model)) {
            assertEquals(16f, adapter.alpha());
            assertEquals(8, adapter.rank());
            assertEquals(15, adapter.tensorCount());
            float[][] base = logits(session);

            session.setLora(adapter, 1f);
            assertClose(reference("qvd-f32.scale1.logits.f32"), logits(session), F32_TOLERANCE, "scale 1");
            session.setLora(adapter, -0.75f);
            assertEquals(Map.of(adapter, -0.75f), session.loras());
            assertClose(reference("qvd-f32.scale-0.75.logits.f32"), logits(session), F32_TOLERANCE, "scale -0.75");

            session.setLora(adapter, 0f);
            assertArrayEquals(base, logits(session));
            assertTrue(session.removeLora(adapter));
            assertFalse(session.removeLora(adapter));
            assertArrayEquals(base, logits(session));
        }
    }

    @Test
    void adaptersLoadedWithTheModelApplyToEverySession() throws IOException {
        ModelOptions options = ModelOptions.builder().lora(qvd(), 1f).lora(kuo(), 2f).build();
        try (Model model = Model.load(base(), options); Session session = session(model)) {
            assertEquals(2, model.loraAdapters().size());
            assertClose(reference("qvd-f32.scale1+kuo-f16.scale2.logits.f32"), logits(session), F16_TOLERANCE,
                    "two adapters");
            session.clearLoras();
            assertTrue(session.loras().isEmpty());
        }
    }

    @Test
    void refusesMisuseNamingTheProblem() throws IOException {
        Path adapter = qvd();
        try (Model model = Model.load(base()); Model other = Model.load(base()); Session session = session(other)) {
            // An adapter for another architecture (qwen2's tensors have other names and shapes too).
            Path qwen = dir.resolve("qwen.gguf");
            ModelWriter.synthesizeLora(TestData.model("qwen2-f16.gguf"), qwen, LoraSynthesizeOptions.defaults());
            InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> model.loadLoraAdapter(qwen));
            assertTrue(e.getMessage().contains("architecture 'qwen2'"), e.getMessage());

            LoraAdapter a = model.loadLoraAdapter(adapter);
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> session.setLora(a, 1f));
            assertTrue(wrong.getMessage().contains("another model"), wrong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> session.setLora(a, Float.NaN));
            a.close();
            assertTrue(a.isClosed());
            try (Session mine = session(model)) {
                assertThrows(IllegalStateException.class, () -> mine.setLora(a, 1f));
            }
            assertThrows(InvalidArgumentException.class, () -> ModelWriter.synthesizeLora(base(), dir.resolve("x.gguf"),
                    new LoraSynthesizeOptions(List.of("attn_qq"), null, 0, null, null)));
        }
        assertThrows(IllegalArgumentException.class, () -> ModelOptions.builder().vocabOnly(true).lora(adapter, 1f).build());
    }

    @Test
    void closingTheAdapterKeepsItAppliedUntilRemoved() {
        try (Model model = Model.load(base()); Session session = session(model)) {
            float[][] base = logits(session);
            LoraAdapter a = model.loadLoraAdapter(qvd());
            session.setLora(a, 1f);
            float[][] adapted = logits(session);
            a.close();
            assertArrayEquals(adapted, logits(session));
            assertTrue(session.removeLora(a));
            assertArrayEquals(base, logits(session));
        }
    }

    @Test
    void cliSynthLoraAndLoraFlag() throws IOException {
        Path cliAdapter = dir.resolve("cli.gguf");
        CliTest.Run synth = CliTest.lamina("synth-lora", "-m", base().toString(), "-o", cliAdapter.toString(),
                "--targets", "attn_q,attn_v,ffn_down", "--rank", "8", "--alpha", "16", "--seed", "1", "--type", "F32");
        assertEquals(0, synth.exitCode(), synth.err());
        assertArrayEquals(Files.readAllBytes(qvd()), Files.readAllBytes(cliAdapter), "same options, same file");

        Path plain = dir.resolve("plain.f32"), zero = dir.resolve("zero.f32"), one = dir.resolve("one.f32");
        String[] common = {"logits", "-m", base().toString(), "-p", "Once upon a time", "-t", "2"};
        assertEquals(0, CliTest.lamina(concat(common, "-o", plain.toString())).exitCode());
        assertEquals(0, CliTest.lamina(concat(common, "-o", zero.toString(), "--lora", cliAdapter + ":0")).exitCode());
        assertEquals(0, CliTest.lamina(concat(common, "-o", one.toString(), "--lora", cliAdapter.toString())).exitCode());
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(zero), "--lora FILE:0 is the base model");
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(plain), Files.readAllBytes(one)), "--lora FILE applies it");

        CliTest.Run missing = CliTest.lamina(concat(common, "-o", one.toString(), "--lora", dir.resolve("absent.gguf") + ":1"));
        assertTrue(missing.exitCode() != 0 && missing.err().contains("absent.gguf"), missing.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
