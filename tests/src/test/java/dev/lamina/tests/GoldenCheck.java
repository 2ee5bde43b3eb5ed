package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.KvType;
import dev.lamina.Lamina;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The comparisons of one golden case with a session, shared by GoldenModelTest and
 * QuantizedGoldenTest: the stored prompt rows of the prompt evaluated in one batch, and greedy
 * decoding one token at a time with the logits of every decode step the golden keeps. Each row
 * within the case's bounds (tests/golden_cases.txt).
 */
final class GoldenCheck {
    private GoldenCheck() {}

    /** A context for the prompt and every greedy step (at least 512, as the goldens were made). */
    static SessionOptions sessionOptions(TestData.Golden golden, KvType kv) {
        int positions = golden.promptIds().length + golden.greedyIds().length;
        SessionOptions.Builder b = SessionOptions.builder().contextLength(Math.max(512, positions));
        return (kv == null ? b : b.kvType(kv)).build();
    }

    /** Evaluates the prompt in one batch and compares each stored row; returns the worst. */
    static RowComparison promptRows(TestData.Golden golden, GoldenCases.Case c, Session session, String label) {
        float[][] expected = golden.logits();
        session.evaluate(golden.promptIds(), 0, true);
        assertEquals(golden.promptIds().length, session.logitRows(), label + ": logit rows");
        float[][] ours = new float[expected.length][];
        for (int j = 0; j < expected.length; j++) {
            int row = golden.logitsRows()[j];
            ours[j] = session.logitsArray(row);
            assertWithin(c, RowComparison.of(ours[j], expected[j]), label + " prompt row " + row);
        }
        RowComparison worst = RowComparison.worst(ours, expected);
        System.out.println("golden " + label + " [" + Lamina.cpuVariant() + "]: " + expected.length
                + (golden.sampledRows() ? " stored" : "") + " prompt rows, worst " + worst);
        return worst;
    }

    /**
     * After the prompt (the session holds it and its last logits), feeds the golden's greedy ids one
     * at a time: the argmax of our logits before each step must be the golden's id, and after
     * feeding greedy_ids[k] the logits must be the golden's decode row k (for the steps it keeps).
     * A near tie (two candidates within the row tolerance, which rounding the tolerance allows may
     * order either way) is reported and not compared; feeding the golden's id keeps the later
     * steps comparable. Returns the worst decode row, null when the golden keeps none.
     */
    static RowComparison greedyAndDecodeRows(TestData.Golden golden, GoldenCases.Case c, Session session, String label) {
        float[][] decode = golden.decodeLogits();
        int[] want = golden.greedyIds();
        int start = session.position();
        List<Integer> ours = new ArrayList<>();
        List<Integer> theirs = new ArrayList<>();
        float[][] decoded = new float[decode.length][];
        float[] logits = session.logitsArray(-1);
        for (int k = 0; k < want.length; k++) {
            int next = TestData.argmax(logits);
            if (next != want[k] && nearTie(logits, next, want[k], c.tolerance())) {
                System.out.println("golden " + label + ": step " + k + ": " + next + " and golden " + want[k]
                        + " tie within the tolerance; not compared");
            } else {
                ours.add(next);
                theirs.add(want[k]);
            }
            session.evaluate(want[k]);
            logits = session.logitsArray(-1);
            if (k < decode.length) {
                decoded[k] = logits;
                assertWithin(c, RowComparison.of(logits, decode[k]), label + " decode row " + k + " (after greedy_ids["
                        + k + "])");
            }
        }
        assertEquals(theirs, ours, label + ": greedy ids (the golden's where they differ)");
        assertTrue(ours.size() + 2 >= want.length, label + ": more than two near ties");
        assertEquals(start + want.length, session.position(), label + ": position");
        if (decode.length == 0) {
            return null;
        }
        RowComparison worst = RowComparison.worst(decoded, decode);
        System.out.println("golden " + label + " [" + Lamina.cpuVariant() + "]: " + decode.length + " decode rows, worst "
                + worst);
        return worst;
    }

    /** Free-running greedy decoding after the prompt gives greedy_ids exactly (no tie allowance). */
    static void greedyIdsExactly(TestData.Golden golden, Session session, String label) {
        int[] ours = new int[golden.greedyIds().length];
        for (int i = 0; i < ours.length; i++) {
            ours[i] = TestData.argmax(session.logitsArray(-1));
            session.evaluate(ours[i]);
        }
        assertArrayEquals(golden.greedyIds(), ours, label + " [" + Lamina.cpuVariant() + "]: greedy ids");
    }

    static void assertWithin(GoldenCases.Case c, RowComparison r, String what) {
        assertTrue(r.relativeError() <= c.tolerance() && r.cosine() >= c.minCosine(),
                what + ": " + r + " (bounds: relative error " + c.tolerance() + ", cosine " + c.minCosine() + ")");
    }

    /** Whether logits a and b differ by no more than the row tolerance allows. */
    static boolean nearTie(float[] logits, int a, int b, double tolerance) {
        if (b < 0 || b >= logits.length) {
            return false;
        }
        double scale = 0;
        for (float v : logits) {
            scale = Math.max(scale, Math.abs(v));
        }
        return Math.abs(logits[a] - logits[b]) <= tolerance * scale;
    }
}
