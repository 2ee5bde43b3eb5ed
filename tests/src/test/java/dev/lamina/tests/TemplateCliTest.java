package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lamina template} end to end, against Hugging Face's renderings in shared/chat-templates. */
class TemplateCliTest {
    @TempDir
    Path dir;

    private static Path templates() {
        return TestData.root().resolve("chat-templates");
    }

    /** Writes one conversation of conversations.json as a messages file. */
    @SuppressWarnings("unchecked")
    private Path messagesFile(String conversation) throws IOException {
        List<Object> all = (List<Object>) Json.parse(Files.readString(templates().resolve("conversations.json")));
        for (Object c : all) {
            Map<String, Object> conv = (Map<String, Object>) c;
            if (conv.get("name").equals(conversation)) {
                return Files.writeString(dir.resolve(conversation + ".json"), Json.write(conv.get("messages")));
            }
        }
        throw new AssertionError("no conversation '" + conversation + "' in conversations.json");
    }

    @SuppressWarnings("unchecked")
    private static String expected(String template, String conversation, boolean generationPrompt) throws IOException {
        Map<String, Object> file = (Map<String, Object>) Json.parse(
                Files.readString(templates().resolve(template + ".expected.json")));
        for (Object c : (List<Object>) file.get("cases")) {
            Map<String, Object> testCase = (Map<String, Object>) c;
            if (testCase.get("conversation").equals(conversation)
                    && testCase.get("add_generation_prompt").equals(generationPrompt)) {
                return (String) (testCase.containsKey("error") ? testCase.get("error") : testCase.get("expected"));
            }
        }
        throw new AssertionError("no case " + conversation + "/" + generationPrompt + " for " + template);
    }

    @Test
    void rendersExactlyWhatHuggingFaceRenders() throws IOException {
        String template = "meta-llama-Llama-3.2-3B-Instruct";
        CliTest.Run run = CliTest.lamina("template", "-t", templates().resolve(template + ".jinja").toString(),
                "--messages", messagesFile("unicode").toString(), "--bos", "<BOS>", "--eos", "<EOS>",
                "--date", "2026-07-26", "--no-generation-prompt");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(expected(template, "unicode", false), run.out());
    }

    @Test
    void aTemplateThatRaisesExitsWithItsMessage() throws IOException {
        String template = "google-gemma-2-2b-it";
        CliTest.Run run = CliTest.lamina("template", "-t", templates().resolve(template + ".jinja").toString(),
                "--messages", messagesFile("system").toString(), "--bos", "<BOS>");
        assertEquals(1, run.exitCode());
        assertEquals("lamina: " + expected(template, "system", true), run.err().strip());
        assertEquals("", run.out());
    }

    @Test
    void helpDescribesTheOptions() {
        CliTest.Run run = CliTest.lamina("template", "--help");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("--no-generation-prompt"), run.out());
        assertTrue(run.out().contains("--messages"), run.out());
    }
}
