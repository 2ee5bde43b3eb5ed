package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.InvalidArgumentException;
import dev.lamina.Lamina;
import dev.lamina.Model;
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
        for (String file : List.of("qwen3-f16.gguf", "qwen3moe-q8_0.gguf", "mixtral-moe-q8_0.gguf")) {
            try (Model model = Model.load(TestData.model(file))) {
                assertTrue(Lamina.supportedArchitectures().contains(model.info().architecture()), file);
            }
        }
    }

    @Test
    void infoNamesTheArchitectureAndWhatSetsItApart() {
        CliTest.Run run = CliTest.lamina("info", "-m", TestData.model("qwen3-f16.gguf").toString(), "--no-sha256");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("architecture:    qwen3 (" + Lamina.architectureSummary("qwen3") + ")"), run.out());
    }
}
