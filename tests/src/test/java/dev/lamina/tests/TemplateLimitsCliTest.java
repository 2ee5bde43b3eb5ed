package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lamina template} and {@code lamina chat} given hostile templates (an endless nested loop,
 * a string doubled until memory runs out) stop with a clear limit error instead of hanging or
 * dying. The timeout only turns a regression into a failure instead of a hung build; the limits
 * stop these templates in well under a second.
 */
class TemplateLimitsCliTest {
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    private static final String NESTED_LOOPS =
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
    private static final String DOUBLING = "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
            + "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}";

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private CliTest.Run template(String source, String... extra) throws IOException {
        Path t = write("t.jinja", source);
        Path messages = write("m.json", "[{\"role\": \"user\", \"content\": \"hi\"}]");
        String[] args = new String[4 + extra.length];
        args[0] = "template";
        args[1] = "-t";
        args[2] = t.toString();
        args[3] = "--messages=" + messages;
        System.arraycopy(extra, 0, args, 4, extra.length);
        return assertTimeoutPreemptively(HANG_GUARD, () -> CliTest.lamina(args));
    }

    private static void assertLimitError(CliTest.Run run, String limit) {
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("", run.out());
        String err = run.err().strip();
        assertTrue(err.startsWith("lamina: template line 1"), err);
        assertTrue(err.contains("TemplateLimits." + limit), err);
        assertEquals(1, err.lines().count(), err);
    }

    @Test
    void templateStopsANestedLoopAtTheOperationLimit() throws IOException {
        assertLimitError(template(NESTED_LOOPS), "maxOperations");
        CliTest.Run lowered = template("{% for i in range(1000) %}{% endfor %}ok", "--template-max-ops", "500");
        assertLimitError(lowered, "maxOperations");
        assertTrue(lowered.err().contains("500 operations"), lowered.err());
        CliTest.Run raised = template("{% for i in range(1000) %}{% endfor %}ok", "--template-max-ops", "5000");
        assertEquals(0, raised.exitCode(), raised.err());
        assertEquals("ok", raised.out());
    }

    @Test
    void templateStopsStringDoublingAtTheValueLimit() throws IOException {
        assertLimitError(template(DOUBLING), "maxValueSize");
        assertLimitError(template(DOUBLING, "--template-max-value", "1000"), "maxValueSize");
    }

    @Test
    void templateLimitsOtherThanOperations() throws IOException {
        assertLimitError(template("{{ 'x' * 100 }}", "--template-max-output", "10"), "maxOutputChars");
        assertLimitError(template("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "--template-max-depth", "5"),
                "maxDepth");
        CliTest.Run bad = template("ok", "--template-max-depth", "0");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("maxDepth must be positive"), bad.err());
    }

    @Test
    void chatReportsTheLimitForEachTurnAndEndsAtEndOfInput() throws IOException {
        Path plain = TestData.model(ChatTest.PLAIN_MODEL);
        for (String hostile : new String[] {NESTED_LOOPS, DOUBLING}) {
            Path t = write("hostile.jinja", hostile);
            CliTest.Run run = assertTimeoutPreemptively(HANG_GUARD, () -> ChatCliTest.withInput("Hi\nAgain\n",
                    "chat", "-m", plain.toString(), "--chat-template", t.toString(), "-n", "4"));
            assertEquals(0, run.exitCode(), run.err());
            String[] lines = run.err().strip().split("\\R");
            assertEquals(2, lines.length, run.err());
            for (String line : lines) {
                assertTrue(line.startsWith("lamina: template line 1"), line);
                assertTrue(line.contains("TemplateLimits.max"), line);
            }
        }
    }

    @Test
    void helpListsTheLimitOptions() {
        for (String command : new String[] {"template", "chat"}) {
            CliTest.Run run = CliTest.lamina(command, "--help");
            assertEquals(0, run.exitCode(), run.err());
            for (String option : new String[] {"--template-max-ops", "--template-max-output", "--template-max-value",
                "--template-max-depth"}) {
                assertTrue(run.out().contains(option), command + ": " + run.out());
            }
        }
    }
}
