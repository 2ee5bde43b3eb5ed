package dev.lamina.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

/**
 * The shared test data: {@code $LAMINA_TEST_DATA}, else the directory surefire passes as
 * {@code lamina.test.data.default} (../shared beside the repository). Missing data fails the test
 * with a message; it never skips it.
 */
public final class TestData {
    private TestData() {}

    public static Path root() {
        String env = System.getenv("LAMINA_TEST_DATA");
        String fallback = System.getProperty("lamina.test.data.default", "../../shared");
        Path root = Path.of(env != null && !env.isBlank() ? env : fallback).toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("models")) || !Files.isDirectory(root.resolve("golden"))) {
            throw new AssertionError("Lamina test data not found at " + root
                    + " (expected models/ and golden/ there). Set LAMINA_TEST_DATA to the shared data directory.");
        }
        return root;
    }

    public static Path model(String fileName) {
        Path p = root().resolve("models").resolve(fileName);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("test model missing: " + p);
        }
        return p;
    }

    /** The golden file set of one model, e.g. "llama2-mha-f32" or "stories260K". */
    public static Golden golden(String name) {
        Path dir = root().resolve("golden");
        Path json = dir.resolve(name + ".json");
        if (!Files.isRegularFile(json)) {
            throw new AssertionError("golden file missing: " + json);
        }
        try {
            JsonNode node = new ObjectMapper().readTree(json.toFile());
            JsonNode prompt = node.get("prompt");
            int[] promptIds = ints(node.get("prompt_ids"));
            int[] greedyIds = ints(node.get("greedy_ids"));
            boolean sampledRows = node.has("logits_rows");
            int[] logitsRows = sampledRows ? ints(node.get("logits_rows")) : IntStream.range(0, promptIds.length).toArray();
            for (int row : logitsRows) {
                if (row < 0 || row >= promptIds.length) {
                    throw new AssertionError(json + ": logits_rows holds " + row + ", outside the " + promptIds.length
                            + "-token prompt");
                }
            }
            Path decodeFile = null;
            int decodeSteps = 0;
            JsonNode decode = node.get("decode_logits_file");
            if (decode != null && !decode.isNull()) {
                decodeFile = dir.resolve(decode.asText());
                JsonNode kept = node.get("decode_steps_kept");
                decodeSteps = kept == null ? -1 : kept.asInt(-1);
                if (decodeSteps < 0 || decodeSteps > greedyIds.length) {
                    throw new AssertionError(json + ": decode_logits_file needs decode_steps_kept in 0 .. "
                            + greedyIds.length + " (the greedy steps), got " + kept);
                }
            }
            return new Golden(name,
                    model(node.get("model").asText()),
                    prompt == null || prompt.isNull() ? "" : prompt.asText(),
                    promptIds,
                    greedyIds,
                    node.get("n_vocab").asInt(),
                    dir.resolve(node.get("logits_file").asText()),
                    logitsRows,
                    sampledRows,
                    decodeFile,
                    decodeSteps);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + json, e);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /**
     * What llama.cpp computed on one model file.
     *
     * @param logitsRows  the prompt positions of the stored rows: the golden's {@code logits_rows}
     *                    (long prompts keep only some), else every position
     * @param sampledRows whether the golden lists {@code logits_rows}
     * @param decodeFile  the golden's {@code decode_logits_file}, null when it has none
     * @param decodeSteps rows of {@code decodeFile} ({@code decode_steps_kept}): row k holds the
     *                    logits after feeding {@code greedyIds[k]} at position
     *                    {@code promptIds.length + k}, one token per evaluation
     */
    public record Golden(String name, Path model, String prompt, int[] promptIds, int[] greedyIds, int vocabSize,
                         Path logitsFile, int[] logitsRows, boolean sampledRows, Path decodeFile, int decodeSteps) {
        /** Row-major float32 little-endian logits [logitsRows.length][vocabSize]: row j is of prompt position logitsRows[j]. */
        public float[][] logits() {
            return readRows(logitsFile, logitsRows.length, vocabSize);
        }

        /** The decode-step rows [decodeSteps][vocabSize]; none when the golden has no decode file. */
        public float[][] decodeLogits() {
            return decodeFile == null ? new float[0][] : readRows(decodeFile, decodeSteps, vocabSize);
        }

        /** Relative error allowed per row, from tests/golden_cases.txt. */
        public double tolerance() {
            return GoldenCases.of(name).tolerance();
        }

        /** Cosine similarity required per row (0: not checked), from tests/golden_cases.txt. */
        public double minCosine() {
            return GoldenCases.of(name).minCosine();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    public static float[][] readRows(Path file, int rows, int columns) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length != (long) rows * columns * Float.BYTES) {
                throw new AssertionError(file + " has " + bytes.length + " bytes, expected " + rows + " x " + columns
                        + " float32 values");
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            float[][] out = new float[rows][columns];
            for (float[] row : out) {
                buffer.asFloatBuffer().get(row);
                buffer.position(buffer.position() + columns * Float.BYTES);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** max |ours - golden| / max |golden| over one row. */
    public static double relativeError(float[] ours, float[] golden) {
        if (ours.length != golden.length) {
            throw new AssertionError("row length " + ours.length + " != " + golden.length);
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < golden.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) ours[i] - golden[i]));
            maxRef = Math.max(maxRef, Math.abs(golden[i]));
        }
        return Double.isNaN(maxDiff) ? Double.POSITIVE_INFINITY : maxDiff / maxRef;
    }

    public static int argmax(float[] row) {
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }
}
