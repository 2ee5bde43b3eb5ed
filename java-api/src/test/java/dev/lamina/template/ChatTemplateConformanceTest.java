package dev.lamina.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code *.jinja} in the shared chat-templates folder against Hugging Face's renderings in
 * its {@code *.expected.json}: one test per case, discovered from the files.
 */
class ChatTemplateConformanceTest {

    /** {@code $LAMINA_TEST_DATA}/chat-templates, else ../shared beside the repository. */
    static Path templatesDir() {
        String env = System.getenv("LAMINA_TEST_DATA");
        String fallback = System.getProperty("lamina.test.data.default", "../../shared");
        Path root = Path.of(env != null && !env.isBlank() ? env : fallback).toAbsolutePath().normalize();
        Path dir = root.resolve("chat-templates");
        if (!Files.isDirectory(dir)) {
            throw new AssertionError("chat template test data not found at " + dir
                    + "; set LAMINA_TEST_DATA to the shared data directory");
        }
        return dir;
    }

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, List<ChatMessage>> conversations(Path dir) {
        Map<String, List<ChatMessage>> out = new java.util.LinkedHashMap<>();
        for (Object c : (List<Object>) Json.parse(read(dir.resolve("conversations.json")))) {
            Map<String, Object> conv = (Map<String, Object>) c;
            List<ChatMessage> messages = new ArrayList<>();
            for (Object m : (List<Object>) conv.get("messages")) {
                messages.add(ChatMessage.fromMap((Map<String, Object>) m));
            }
            out.put((String) conv.get("name"), messages);
        }
        return out;
    }

    @TestFactory
    Stream<DynamicNode> everyTemplateRendersLikeHuggingFace() throws IOException {
        Path dir = templatesDir();
        Map<String, List<ChatMessage>> conversations = conversations(dir);
        List<Path> templates;
        try (Stream<Path> files = Files.list(dir)) {
            templates = files.filter(p -> p.getFileName().toString().endsWith(".jinja")).sorted().toList();
        }
        assertFalse(templates.isEmpty(), "no *.jinja templates in " + dir);
        return templates.stream().map(t -> templateTests(t, conversations));
    }

    /** One container per template; a template that cannot be set up fails alone, as one test. */
    private static DynamicNode templateTests(Path templateFile, Map<String, List<ChatMessage>> conversations) {
        String name = templateFile.getFileName().toString().replaceFirst("\\.jinja$", "");
        try {
            return caseTests(name, templateFile, conversations);
        } catch (RuntimeException | AssertionError e) {
            return DynamicTest.dynamicTest(name + " (setup)", () -> {
                throw new AssertionError(name + ": " + e.getMessage(), e);
            });
        }
    }

    @SuppressWarnings("unchecked")
    private static DynamicNode caseTests(String name, Path templateFile, Map<String, List<ChatMessage>> conversations) {
        Path expectedFile = templateFile.resolveSibling(name + ".expected.json");
        if (!Files.isRegularFile(expectedFile)) {
            throw new AssertionError("missing " + expectedFile);
        }
        Map<String, Object> expected = (Map<String, Object>) Json.parse(read(expectedFile));
        ChatTemplate template = ChatTemplate.parse(read(templateFile));
        LocalDate today = LocalDate.parse((String) expected.get("strftime_now_date"));
        Clock clock = Clock.fixed(today.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        List<DynamicTest> tests = new ArrayList<>();
        if (((List<Object>) expected.get("cases")).isEmpty()) {
            throw new AssertionError(expectedFile + " has no cases");
        }
        for (Object c : (List<Object>) expected.get("cases")) {
            Map<String, Object> testCase = (Map<String, Object>) c;
            String conversation = (String) testCase.get("conversation");
            boolean generationPrompt = (Boolean) testCase.get("add_generation_prompt");
            RenderOptions options = RenderOptions.builder()
                    .addGenerationPrompt(generationPrompt)
                    .bosToken((String) expected.get("bos_token"))
                    .eosToken((String) expected.get("eos_token"))
                    .clock(clock)
                    .build();
            List<ChatMessage> messages = conversations.get(conversation);
            String display = conversation + (generationPrompt ? " +generation prompt" : "");
            tests.add(DynamicTest.dynamicTest(display, () -> {
                if (messages == null) {
                    throw new AssertionError("conversation '" + conversation + "' missing from conversations.json");
                }
                if (testCase.containsKey("error")) {
                    TemplateException e = assertThrows(TemplateException.class,
                            () -> template.render(messages, options));
                    assertEquals(TemplateException.Kind.RAISED, e.kind(), e.getMessage());
                    assertEquals(testCase.get("error"), e.getMessage());
                } else {
                    assertEquals(testCase.get("expected"), template.render(messages, options));
                }
            }));
        }
        return DynamicContainer.dynamicContainer(name, tests);
    }
}
