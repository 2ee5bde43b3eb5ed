package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.KvType;
import dev.lamina.LaminaException;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.Status;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java KV cache types against the native library's list, and their use in sessions. */
class KvTypeTest {
    @Test
    void enumMatchesTheNativeNamesWithF16AsTheDefault() {
        List<String> names = KvType.nativeNames();
        assertEquals(names, Arrays.stream(KvType.values()).map(KvType::nativeName).toList());
        assertEquals("f16", names.get(0));
        assertEquals(KvType.Q8_0, KvType.fromName("Q8_0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvType.fromName("q4_0"));
        assertTrue(e.getMessage().contains("'q4_0'") && e.getMessage().contains("f16, q8_0, f32"), e.getMessage());
    }

    @Test
    void cliTakesKvTypeOnRunAndLogits(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        String model = TestData.model("stories260K-f32.gguf").toString();
        CliTest.Run run = CliTest.lamina("run", "-m", model, "-p", "", "-n", "4", "--temp", "0", "--kv-type", "f32");
        assertEquals(0, run.exitCode(), run.err());
        CliTest.Run logits = CliTest.lamina("logits", "-m", model, "-p", "Once", "-o", dir.resolve("l.f32").toString(),
                "--kv-type", "q8_0");
        assertTrue(logits.exitCode() != 0 && logits.err().contains("is 8"), logits.err());
        CliTest.Run bad = CliTest.lamina("run", "-m", model, "-p", "", "-n", "1", "--kv-type", "bf16");
        assertTrue(bad.exitCode() != 0 && bad.err().contains("'bf16'") && bad.err().contains("f16, q8_0, f32"), bad.err());
        assertTrue(CliTest.lamina("run", "--help").out().contains("f16, q8_0, f32"), "run --help lists the KV types");
    }

    @Test
    void builderRefusesNull() {
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.builder().kvType(null));
    }

    @Test
    void q8_0IsRefusedForHeadsNotMadeOf32Values() {
        // stories260K has heads of 8 values: Q8_0 blocks of 32 cannot hold them.
        try (Model model = Model.load(TestData.model("stories260K-f32.gguf"))) {
            LaminaException e = assertThrows(LaminaException.class,
                    () -> model.newSession(SessionOptions.builder().contextLength(64).kvType(KvType.Q8_0).build()));
            assertEquals(Status.UNSUPPORTED, e.status());
            assertTrue(e.getMessage().contains("q8_0") && e.getMessage().contains("is 8"), e.getMessage());
            try (Session f32 = model.newSession(SessionOptions.builder().contextLength(64).kvType(KvType.F32).build())) {
                f32.evaluate(new int[] {1});
                assertEquals(1, f32.position());
            }
        }
    }
}
