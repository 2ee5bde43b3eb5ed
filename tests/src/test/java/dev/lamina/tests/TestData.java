package dev.lamina.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

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
        Path json = root().resolve("golden").resolve(name + ".json");
        if (!Files.isRegularFile(json)) {
            throw new AssertionError("golden file missing: " + json);
        }
        try {
            JsonNode node = new ObjectMapper().readTree(json.toFile());
            JsonNode prompt = node.get("prompt");
            return new Golden(name,
                    model(node.get("model").asText()),
                    prompt == null || prompt.isNull() ? "" : prompt.asText(),
                    ints(node.get("prompt_ids")),
                    ints(node.get("greedy_ids")),
                    node.get("n_vocab").asInt(),
                    root().resolve("golden").resolve(node.get("logits_file").asText()));
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

    /** What llama.cpp computed on one model file. */
    public record Golden(String name, Path model, String prompt, int[] promptIds, int[] greedyIds, int vocabSize,
                         Path logitsFile) {
        /** Row-major float32 little-endian logits [promptIds.length][vocabSize]. */
        public float[][] logits() {
            return readRows(logitsFile, promptIds.length, vocabSize);
        }

        /** Relative error allowed per row: 1e-3 for F32 weights, 5e-3 for F16. */
        public double tolerance() {
            return name.contains("f16") ? 5e-3 : 1e-3;
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
