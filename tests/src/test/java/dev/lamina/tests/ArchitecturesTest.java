package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.InvalidArgumentException;
import dev.lamina.KvType;
import dev.lamina.Lamina;
import dev.lamina.LaminaException;
import dev.lamina.Model;
import dev.lamina.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The architectures Lamina runs, as the API, `lamina info` and load errors name them. */
class ArchitecturesTest {
    @Test
    void supportedArchitecturesHaveSummaries() {
        List<String> names = Lamina.supportedArchitectures();
        assertTrue(names.containsAll(List.of("llama", "qwen2", "qwen3", "qwen3moe")), names.toString());
        for (String name : names) assertTrue(Lamina.architectureSummary(name).length() > 10, name);
        InvalidArgumentException unknown = assertThrows(InvalidArgumentException.class,
                () -> Lamina.architectureSummary("mamba"));
        assertTrue(unknown.getMessage().contains("mamba") && unknown.getMessage().contains("qwen3moe"),
                unknown.getMessage());
    }

    @Test
    void modelsOfTheNewArchitecturesLoad() {
        for (String file : List.of("qwen3-f16.gguf", "qwen3moe-q8_0.gguf", "mixtral-moe-q8_0.gguf", "deepseek2-f32.gguf")) {
            try (Model model = Model.load(TestData.model(file))) {
                assertTrue(Lamina.supportedArchitectures().contains(model.info().architecture()), file);
            }
        }
    }

    @Test
    void latentAttentionKeepsOneLatentPerLayer() {
        // 2 layers; per layer one latent of 32 plus a rotary key of 8 (the value is the latent),
        // where 4 heads of keys 24 and values 16 would take 160 values.
        try (Model model = Model.load(TestData.model("deepseek2-f32.gguf"))) {
            assertEquals("deepseek2", model.info().architecture());
            assertEquals(2L * 40 * 2, model.kvBytesPerToken(KvType.F16));
            assertEquals(2L * 40 * 4, model.kvBytesPerToken(KvType.F32));
            assertEquals(2L * 4 * (24 + 16) * 2, model.multiHeadKvBytesPerToken(KvType.F16));
            LaminaException q8 = assertThrows(LaminaException.class, () -> model.kvBytesPerToken(KvType.Q8_0));
            assertEquals(Status.UNSUPPORTED, q8.status());
            assertTrue(q8.getMessage().contains("q8_0"), q8.getMessage());
        }
        CliTest.Run run = CliTest.lamina("info", "-m", TestData.model("deepseek2-f32.gguf").toString(), "--no-sha256",
                "--no-metadata", "--no-tensors");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("kv per token     160 bytes (f16 cache; multi-head attention of this shape: 640)"),
                run.out());
    }

    @Test
    void infoNamesTheArchitectureAndWhatSetsItApart() {
        CliTest.Run run = CliTest.lamina("info", "-m", TestData.model("qwen3-f16.gguf").toString(), "--no-sha256");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("architecture:    qwen3 (" + Lamina.architectureSummary("qwen3") + ")"), run.out());
    }
}
