package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.cli.LaminaCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The picocli commands run in-process with captured output. */
class CliTest {
    @TempDir
    Path dir;

    /** Exit code, stdout and stderr of one invocation. */
    record Run(int exitCode, String out, String err) {}

    static Run lamina(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = LaminaCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void tokenizePrintsTheGoldenPromptIds() {
        TestData.Golden golden = TestData.golden("llama2-mha-f32");
        Run run = lamina("tokenize", "-m", golden.model().toString(), "-p", golden.prompt());
        assertEquals(0, run.exitCode(), run.err());
        String expected = Arrays.stream(golden.promptIds()).mapToObj(Integer::toString).collect(Collectors.joining(" "));
        assertEquals(expected, run.out().strip());
    }

    @Test
    void tokenizeWithoutBos() {
        TestData.Golden golden = TestData.golden("llama2-mha-f32");
        Run run = lamina("tokenize", "-m", golden.model().toString(), "-p", golden.prompt(), "--no-bos");
        assertEquals(0, run.exitCode(), run.err());
        String expected = Arrays.stream(golden.promptIds()).skip(1).mapToObj(Integer::toString)
                .collect(Collectors.joining(" "));
        assertEquals(expected, run.out().strip());
    }

    @Test
    void logitsWritesTheGoldenLayout() {
        TestData.Golden golden = TestData.golden("llama2-mha-f32");
        Path out = dir.resolve("out.f32");
        Run run = lamina("logits", "-m", golden.model().toString(), "-p", golden.prompt(), "-o", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        float[][] ours = TestData.readRows(out, golden.promptIds().length, golden.vocabSize());
        float[][] expected = golden.logits();
        for (int row = 0; row < expected.length; row++) {
            double error = TestData.relativeError(ours[row], expected[row]);
            assertTrue(error <= golden.tolerance(), "row " + row + ": relative error " + error);
        }
    }

    @Test
    void infoOnABadFileExitsWithOneLine() throws IOException {
        Path bad = Files.write(dir.resolve("bad.gguf"), "this is not a GGUF file at all".getBytes());
        Run run = lamina("info", "-m", bad.toString());
        assertEquals(1, run.exitCode());
        String[] lines = run.err().strip().split("\\R");
        assertEquals(1, lines.length, "one line: " + run.err());
        assertTrue(lines[0].startsWith("lamina: "), lines[0]);
        assertTrue(lines[0].contains("bad.gguf"), lines[0]);
        assertFalse(run.err().contains("\tat "), "no stack trace without --verbose");

        Run verbose = lamina("info", "--verbose", "-m", bad.toString());
        assertEquals(1, verbose.exitCode());
        assertTrue(verbose.err().contains("\tat "), "stack trace with --verbose");
    }

    @Test
    void infoDescribesAModel() {
        Run run = lamina("info", "-m", TestData.model("stories260K-f32.gguf").toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("llama.block_count"), run.out());
        assertTrue(run.out().contains("token_embd.weight"), run.out());
        assertTrue(run.out().contains("cpu variant:"), run.out());
    }

    @Test
    void runGeneratesGreedilyAndPrintsTimings() {
        TestData.Golden golden = TestData.golden("stories260K");
        Run run = lamina("run", "-m", golden.model().toString(), "-p", "", "-n", "16", "--temp", "0");
        assertEquals(0, run.exitCode(), run.err());
        // The model's vocabulary pieces are placeholders, so compare with the detokenized golden ids.
        try (dev.lamina.Model model = dev.lamina.Model.load(golden.model())) {
            String expected = model.tokenizer().detokenize(Arrays.copyOf(golden.greedyIds(), 16));
            assertEquals(expected, run.out().substring(0, run.out().length() - System.lineSeparator().length()));
        }
        assertTrue(run.err().matches("(?s)load: \\d+ ms \\| first token after \\d+ ms \\| prompt: 1 tokens, .* t/s \\| generated: 16 tokens, .* t/s.*"),
                run.err());
    }

    @Test
    void helpExplainsOptionsAndDefaults() {
        Run run = lamina("run", "--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("--top-k") && run.out().contains("default: 40"), run.out());
    }

    @Test
    void tokenizeReadsStandardInputWhenNoPromptIsGiven() {
        TestData.Golden golden = TestData.golden("llama3-gqa-f16");
        java.io.InputStream saved = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(golden.prompt().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Run run = lamina("tokenize", "-m", golden.model().toString());
            assertEquals(0, run.exitCode(), run.err());
            String expected = Arrays.stream(golden.promptIds()).mapToObj(Integer::toString).collect(Collectors.joining(" "));
            assertEquals(expected, run.out().strip());
        } finally {
            System.setIn(saved);
        }
    }
}
