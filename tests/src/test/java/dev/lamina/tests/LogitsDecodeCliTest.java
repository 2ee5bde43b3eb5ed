package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code lamina logits --greedy N --decode-output FILE}: the decode-step rows (the layout of the
 * golden *.decode.f32 files, row k after feeding greedy token k) are the engine's own
 * step-by-step Session logits, the printed ids are the golden greedy_ids, and bad options are
 * clear errors.
 */
class LogitsDecodeCliTest {
    private static final int STEPS = 8;
    /** The CLI and the session run the same arithmetic on the same threads: only noise is allowed. */
    private static final double SAME_ENGINE = 1e-5;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"stories260K", "llama2-mha-f32"})
    void decodeRowsAreTheSessionsStepByStepLogits(String name) throws IOException {
        TestData.Golden golden = TestData.golden(name);
        Path out = dir.resolve("out.f32");
        Path decode = dir.resolve("out.decode.f32");
        CliTest.Run run = CliTest.lamina("logits", "-m", golden.model().toString(), "-p", golden.prompt(),
                "-o", out.toString(), "-t", "2", "--greedy", Integer.toString(STEPS), "--decode-output", decode.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("wrote " + STEPS + " x " + golden.vocabSize() + " decode-step logits to " + decode),
                run.err());
        int[] printed = Arrays.stream(run.out().strip().split(" ")).mapToInt(Integer::parseInt).toArray();
        int n = golden.promptIds().length;
        float[][] prompt = TestData.readRows(out, n, golden.vocabSize());
        float[][] rows = TestData.readRows(decode, STEPS, golden.vocabSize()); // fails unless STEPS rows

        // The golden's greedy semantics: token 0 is the argmax of the last prompt row, token k+1
        // the argmax of decode row k; the ids are the golden's.
        assertEquals(golden.greedyIds()[0], TestData.argmax(prompt[n - 1]), name + ": argmax of the last prompt row");
        for (int k = 0; k + 1 < STEPS; k++) {
            assertEquals(printed[k + 1], TestData.argmax(rows[k]), name + ": argmax of decode row " + k);
        }
        assertArrayEquals(Arrays.copyOf(golden.greedyIds(), STEPS), printed, name + ": printed greedy ids");

        // The same steps through a Session, one token at a time.
        try (Model model = Model.load(golden.model());
             Session session = model.newSession(SessionOptions.builder().contextLength(512).threads(2).build())) {
            session.evaluate(golden.promptIds(), 0, true);
            RowComparison last = RowComparison.of(prompt[n - 1], session.logitsArray(n - 1));
            assertTrue(last.relativeError() <= SAME_ENGINE, name + " last prompt row: " + last);
            for (int k = 0; k < STEPS; k++) {
                int next = TestData.argmax(session.logitsArray(-1));
                assertEquals(next, printed[k], name + ": step " + k);
                session.evaluate(next);
                RowComparison c = RowComparison.of(rows[k], session.logitsArray(-1));
                assertTrue(c.relativeError() <= SAME_ENGINE, name + " decode row " + k + ": " + c);
            }
        }
    }

    @Test
    void greedyWithoutDecodeOutputPrintsTheIds() {
        TestData.Golden golden = TestData.golden("llama2-mha-f32");
        CliTest.Run run = CliTest.lamina("logits", "-m", golden.model().toString(), "-p", golden.prompt(),
                "-o", dir.resolve("out.f32").toString(), "--greedy", "3");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(golden.greedyIds()[0] + " " + golden.greedyIds()[1] + " " + golden.greedyIds()[2], run.out().strip());
    }

    @Test
    void helpDocumentsTheDecodeOptions() {
        CliTest.Run run = CliTest.lamina("logits", "--help");
        assertEquals(0, run.exitCode(), run.err());
        for (String text : new String[] {"--greedy=N", "--decode-output=OUT.f32", "*.decode.f32", "the argmax of row k is token k+1"}) {
            assertTrue(run.out().contains(text), text + " in: " + run.out());
        }
    }

    @Test
    void aNegativeStepCountIsRefused() {
        CliTest.Run run = logits("--greedy", "-1", "--decode-output", dir.resolve("d.f32").toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("--greedy must be >= 0, was -1"), run.err());
        assertFalse(Files.exists(dir.resolve("d.f32")));
    }

    @Test
    void aDecodeOutputNeedsSteps() {
        CliTest.Run run = logits("--decode-output", dir.resolve("d.f32").toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("--decode-output needs --greedy N with N >= 1"), run.err());
    }

    @Test
    void theTwoOutputsMustDiffer() {
        CliTest.Run run = logits("--greedy", "2", "--decode-output", dir.resolve("out.f32").toString());
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("--decode-output and -o are the same file"), run.err());
    }

    @Test
    void anUnwritableDecodeOutputIsOneErrorLine() throws IOException {
        Path missing = dir.resolve("no-such-dir").resolve("d.f32");
        CliTest.Run run = logits("--greedy", "2", "--decode-output", missing.toString());
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("lamina: cannot write --decode-output '" + missing + "': directory '" + missing.getParent()
                + "' does not exist", run.err().strip());
        assertFalse(Files.exists(dir.resolve("out.f32")), "no prompt logits either");

        Path directory = Files.createDirectory(dir.resolve("a-directory"));
        run = logits("--greedy", "2", "--decode-output", directory.toString());
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("lamina: cannot write --decode-output '" + directory + "': it is a directory", run.err().strip());
    }

    @Test
    void stepsBeyondTheContextAreRefused() {
        // The 20-token golden prompt and 50 steps need 70 positions.
        CliTest.Run run = logits("-c", "64", "--greedy", "50", "--decode-output", dir.resolve("d.f32").toString());
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("lamina: the prompt (20 tokens) and --greedy 50 need 70 positions, more than the context of 64: "
                + "raise -c to at least 70 or lower --greedy", run.err().strip());
        assertFalse(Files.exists(dir.resolve("d.f32")));
        assertFalse(Files.exists(dir.resolve("out.f32")));

        run = logits("-c", "70", "--greedy", "50", "--decode-output", dir.resolve("d.f32").toString());
        assertEquals(0, run.exitCode(), "exactly the context: " + run.err());
    }

    private CliTest.Run logits(String... extra) {
        TestData.Golden golden = TestData.golden("llama2-mha-f32");
        String[] args = {"logits", "-m", golden.model().toString(), "-p", golden.prompt(), "-o", dir.resolve("out.f32").toString()};
        String[] all = Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return CliTest.lamina(all);
    }
}
