package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Chat;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.template.ChatTemplate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lamina chat} driven through standard input, and {@code lamina bench-tokenizer}. */
class ChatCliTest {
    private static final String NL = System.lineSeparator();
    private static final String HELP_LINE = "commands: /reset forgets the conversation, /help shows this, /exit quits";

    @TempDir
    Path dir;

    /** Runs the CLI with {@code input} as standard input (commands read System.in when created). */
    static CliTest.Run withInput(String input, String... args) {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            return CliTest.lamina(args);
        } finally {
            System.setIn(saved);
        }
    }

    /**
     * Sampling options the CLI gets as {@link #SAMPLING}: random-weight models repeat one token
     * when greedy (their logits are very peaked), so seeded sampling at a high temperature makes replies that differ from turn to turn.
     */
    private static final GenerationOptions OPTIONS = GenerationOptions.sampled(20f, 0, 1f, 7L).minP(0f).maxTokens(8);
    private static final String[] SAMPLING = {"--temp", "20", "--top-k", "0", "--top-p", "1", "--min-p", "0",
        "--seed", "7", "-n", "8"};

    private static String[] args(String... head) {
        String[] all = Arrays.copyOf(head, head.length + SAMPLING.length);
        System.arraycopy(SAMPLING, 0, all, head.length, SAMPLING.length);
        return all;
    }

    /** The replies the API gives for the same turns with the same options and template. */
    private static String[] expectedReplies(Path model, ChatTemplate template) {
        GenerationOptions options = OPTIONS;
        try (Model m = Model.load(model);
             Session session = m.newSession(SessionOptions.defaults())) {
            Chat.Builder b = Chat.builder(session).options(options);
            if (template != null) {
                b.template(template);
            }
            Chat chat = b.build();
            String r1 = reply(chat, "Hello! Who are you?");
            String r2 = reply(chat, "What is 2+2?");
            chat.reset();
            String r3 = reply(chat, "Hi again");
            return new String[] {r1, r2, r3};
        }
    }

    private static String reply(Chat chat, String message) {
        try (Generation g = chat.send(message)) {
            return g.result().text();
        }
    }

    private static final String SCRIPT = "Hello! Who are you?\n/help\nWhat is 2+2?\n/reset\n\nHi again\n/exit\nnever read\n";

    private static String expectedTranscript(String[] r) {
        return "> " + r[0] + NL + "> " + HELP_LINE + NL + "> " + r[1] + NL + "> (conversation cleared)" + NL
                + "> > " + r[2] + NL + "> ";
    }

    @Test
    void chatKeepsHistoryResetsAndStreamsWhatTheApiGenerates() throws IOException {
        Path model = ChatTest.modelWithTemplate(dir);
        String[] replies = expectedReplies(model, null);
        assertNotEquals(replies[0], replies[1], "the turns differ");
        CliTest.Run run = withInput(SCRIPT, args("chat", "-m", model.toString()));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        assertEquals(expectedTranscript(replies), run.out());
    }

    @Test
    void chatTemplateOptionSuppliesOrOverridesTheTemplate() throws IOException {
        Path phi = TestData.root().resolve("chat-templates").resolve(ChatTest.PHI);
        Path plain = TestData.model(ChatTest.PLAIN_MODEL);
        String[] replies = expectedReplies(plain, ChatTemplate.parse(ChatTest.templateSource(ChatTest.PHI)));
        CliTest.Run run = withInput(SCRIPT, args("chat", "-m", plain.toString(), "--chat-template", phi.toString()));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(expectedTranscript(replies), run.out());

        // The model's own template (Phi) is overridden by Gemma's, which refuses a system message:
        // the turn fails with one line and the chat goes on until end of input.
        Path withPhi = ChatTest.modelWithTemplate(dir);
        Path gemma = TestData.root().resolve("chat-templates").resolve(ChatTest.GEMMA);
        CliTest.Run refused = withInput("Hi\n", "chat", "-m", withPhi.toString(), "--chat-template", gemma.toString(),
                "--system", "Be terse.", "--temp", "0", "-n", "4");
        assertEquals(0, refused.exitCode(), refused.err());
        assertEquals("lamina: System role not supported" + NL, refused.err());
        assertEquals("> > " + NL, refused.out(), "prompt, failed turn, prompt, end of input");
    }

    @Test
    void chatOnAModelWithoutATemplateFailsWithOneClearLine() {
        CliTest.Run run = withInput("Hi\n", "chat", "-m", TestData.model(ChatTest.PLAIN_MODEL).toString());
        assertEquals(1, run.exitCode());
        String[] lines = run.err().strip().split("\\R");
        assertEquals(1, lines.length, run.err());
        assertTrue(lines[0].startsWith("lamina: ") && lines[0].contains("no chat template")
                && lines[0].contains("--chat-template"), lines[0]);
        assertEquals("", run.out());
    }

    @Test
    void unknownCommandsAreOneLineErrorsAndEndOfInputQuits() throws IOException {
        Path model = ChatTest.modelWithTemplate(dir);
        CliTest.Run run = withInput("/bogus\n", "chat", "-m", model.toString(), "--no-prompt-marker");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("lamina: unknown command /bogus; " + HELP_LINE + NL, run.err());
        assertEquals(NL, run.out());
    }

    @Test
    void helpDescribesTheNewCommands() {
        CliTest.Run chat = CliTest.lamina("chat", "--help");
        assertEquals(0, chat.exitCode());
        for (String s : new String[] {"--chat-template", "--system", "--max-tokens", "--temp", "/reset", "/exit"}) {
            assertTrue(chat.out().contains(s), s + " in " + chat.out());
        }
        CliTest.Run bench = CliTest.lamina("bench-tokenizer", "--help");
        assertEquals(0, bench.exitCode());
        assertTrue(bench.out().contains("--mb") && bench.out().contains("--text"), bench.out());
        CliTest.Run root = CliTest.lamina("--help");
        assertTrue(root.out().contains("chat") && root.out().contains("bench-tokenizer"), root.out());
    }

    /** Only that it runs and reports a speed: timings are not asserted. */
    @Test
    void benchTokenizerPrintsASpeed() throws IOException {
        for (String vocab : new String[] {TokenizerConformanceTest.SPM, TokenizerConformanceTest.BPE}) {
            CliTest.Run run = CliTest.lamina("bench-tokenizer", "-m", VocabCases.vocab(vocab).toString(),
                    "--mb", "0.05", "--runs", "1");
            assertEquals(0, run.exitCode(), run.err());
            Matcher m = Pattern.compile("([0-9.]+) MB/s, ([0-9.]+) s/MB").matcher(run.out());
            assertTrue(m.find(), run.out());
            assertTrue(Double.parseDouble(m.group(1)) > 0, run.out());
            assertTrue(run.out().contains("50,000 bytes (generated)"), run.out());
        }
        Path text = java.nio.file.Files.writeString(dir.resolve("t.txt"), "Hello, world! Привет, мир! 你好");
        CliTest.Run file = CliTest.lamina("bench-tokenizer", "-m",
                VocabCases.vocab(TokenizerConformanceTest.BPE).toString(), "--text", text.toString(), "--runs", "1");
        assertEquals(0, file.exitCode(), file.err());
        assertFalse(file.out().contains("generated"), file.out());
        assertTrue(file.out().contains("MB/s"), file.out());
    }

    @Test
    void toolsCallsArePrintedAndTheirResultsReadFromInput() throws IOException {
        Path tools = dir.resolve("tools.json");
        java.nio.file.Files.writeString(tools, """
                [{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
                  "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 10}},
                                 "required": ["city"]}}}]""");
        Path template = TestData.root().resolve("chat-templates").resolve(ChatToolsTest.QWEN);
        CliTest.Run r = withInput("Weather in Paris?\nsunny, 21 C\n", "chat", "-m", TestData.model(ChatTest.PLAIN_MODEL).toString(),
                "--chat-template", template.toString(), "--tools", tools.toString(), "--tool-choice", "get_weather",
                "--no-prompt-marker", "--temp", "0.8", "--seed", "3", "-n", "120", "-c", "4096");
        assertEquals(0, r.exitCode(), r.err());
        Matcher call = Pattern.compile("\\[tool call (\\S+)\\] get_weather (\\{.*\\})").matcher(r.out());
        assertTrue(call.find(), r.out());
        assertTrue(call.group(2).contains("\"city\""), call.group(2));
        assertFalse(r.err().contains("lamina:"), r.err());

        CliTest.Run bad = withInput("hi\n", "chat", "-m", TestData.model(ChatTest.PLAIN_MODEL).toString(),
                "--chat-template", template.toString(), "--tools", tools.toString(), "--tool-choice", "nope");
        assertNotEquals(0, bad.exitCode());
        assertTrue(bad.err().contains("nope"), bad.err());
    }
}
