package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.Lamina;
import dev.lamina.Model;
import dev.lamina.json.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `lamina bench`, `synth` and `info` run and print what they promise; nothing here is about speed. */
class BenchCliTest {
    @TempDir
    Path dir;

    @Test
    void benchTakesKvTypesAndADepthAsLlamaBench() {
        Path model = TestData.model("llama2-gqa256-f16.gguf");
        CliTest.Run run = CliTest.lamina("bench", "-m", model.toString(), "-t", "1", "-p", "4", "-n", "2", "-r", "1",
                "-d", "0,40", "-ctk", "f32,q8_0");
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).matches("\\| model +\\| +size \\| +params \\| backend +\\| threads \\| type_k \\| +test \\| +t/s \\|"),
                lines.get(0));
        for (String kv : List.of("f32", "q8_0")) {
            for (String test : List.of("pp4", "tg2", "pp4 @ d40", "tg2 @ d40")) {
                assertTrue(lines.stream().anyMatch(l -> l.contains("| " + kv + " ") && l.contains(" " + test + " |")),
                        kv + " " + test + ":\n" + run.out());
            }
        }
        CliTest.Run bad = CliTest.lamina("bench", "-m", model.toString(), "-ctk", "q4_0");
        assertTrue(bad.exitCode() != 0 && bad.err().contains("q4_0") && bad.err().contains("f16, q8_0, f32"), bad.err());
    }

    @Test
    void benchSequencesDecodesThemTogetherAndReportsAggregateAndPerSequenceRates() {
        Path model = TestData.model("stories260K-f32.gguf");
        CliTest.Run run = CliTest.lamina("bench", "-m", model.toString(), "-t", "1", "-r", "1", "-s", "2", "-n", "2");
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\|.*\\| +tg2 x2 seq \\| +[0-9.]+ ± [0-9.]+ \\|")), run.out());
        assertEquals(1, lines.stream().filter(l -> l.contains(" pp512 |")).count(), "pp runs one sequence:\n" + run.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches(
                "stories260K-f32\\.gguf tg2 x2 seq t=1: 2 sequences, aggregate [0-9.]+ t/s, [0-9.]+ t/s per sequence")),
                run.out());

        CliTest.Run json = CliTest.lamina("bench", "-m", model.toString(), "-t", "1", "-r", "1", "-p", "0", "-n", "2",
                "-s", "1,3", "--json");
        assertEquals(0, json.exitCode(), json.err());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) Json.parse(json.out().strip());
        assertEquals(List.of("tg2", "tg2 x3 seq"), rows.stream().map(r -> r.get("test")).toList());
        assertEquals(List.of(1, 3), rows.stream().map(r -> ((Number) r.get("n_sequences")).intValue()).toList());

        CliTest.Run bad = CliTest.lamina("bench", "-m", model.toString(), "-s", "0");
        assertTrue(bad.exitCode() != 0 && bad.err().contains("-s must be >= 1"), bad.err());
    }

    @Test
    void benchPrintsALlamaBenchTable() {
        Path model = TestData.model("stories260K-f32.gguf");
        CliTest.Run run = CliTest.lamina("bench", "-m", model.toString(), "-t", "1", "-p", "8", "-n", "4", "-r", "1");
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = run.out().lines().toList();
        assertTrue(lines.get(0).matches("\\| model +\\| +size \\| +params \\| backend +\\| threads \\| +test \\| +t/s \\|"),
                lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.contains(" pp8 |") && l.contains("CPU (" + Lamina.cpuVariant() + ")")),
                run.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains(" tg4 |")), run.out());
        assertTrue(run.out().contains("model load") && run.out().contains("peak RSS (VmHWM)"), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("stories260K-f32\\.gguf tg4 t=1: [0-9.]+ MB of weights per token x .* GB/s")),
                run.out());
    }

    @Test
    void benchSaysWhenWeightsWereRepackedAndNoRepackKeepsTheFileLayout() {
        Path model = TestData.model("llama2-gqa256-q4_0.gguf");
        boolean repacks = List.of("scalar", "avx2", "avx512").contains(Lamina.cpuVariant());
        CliTest.Run run = CliTest.lamina("bench", "-m", model.toString(), "-t", "1", "-p", "8", "-n", "0", "-r", "1");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(repacks, run.out().contains("CPU (" + Lamina.cpuVariant() + "+repack)"), run.out());
        CliTest.Run plain = CliTest.lamina("bench", "-m", model.toString(), "-t", "1", "-p", "8", "-n", "0", "-r", "1",
                "--no-repack");
        assertEquals(0, plain.exitCode(), plain.err());
        assertTrue(plain.out().contains("CPU (" + Lamina.cpuVariant() + ")") && !plain.out().contains("+repack"),
                plain.out());
    }

    @Test
    void benchJsonHasOneRowPerTestAndThreadCount() {
        Path model = TestData.model("stories260K-f32.gguf");
        CliTest.Run run = CliTest.lamina("bench", "-m", model.toString(), "-t", "1,2", "-p", "0", "-n", "3", "-r", "2",
                "--json");
        assertEquals(0, run.exitCode(), run.err());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) Json.parse(run.out().strip());
        assertEquals(2, rows.size(), "-p 0 skips pp: tg3 for 1 and 2 threads");
        for (Map<String, Object> row : rows) {
            assertEquals("tg3", row.get("test"));
            assertEquals(2, ((List<?>) row.get("samples_ts")).size(), "-r 2 samples");
            assertTrue(((Number) row.get("avg_ts")).doubleValue() > 0);
        }
        assertEquals(List.of(1L, 2L), rows.stream().map(r -> r.get("n_threads")).toList());
    }

    @Test
    void synthWritesAModelOfTheShape() {
        Path out = dir.resolve("tiny.gguf");
        Path vocab = TestData.root().resolve("vocab").resolve("ggml-vocab-llama-spm.gguf");
        CliTest.Run run = CliTest.lamina("synth", "--shape", "tiny-64", "--type", "q4_0", "--vocab", vocab.toString(),
                "-o", out.toString(), "--seed", "3");
        assertEquals(0, run.exitCode(), run.err());
        try (Model m = Model.load(out)) {
            assertEquals(64, m.info().embeddingLength());
            assertEquals(2, m.info().fileType(), "Q4_0");
        }
    }

    @Test
    void synthHelpListsTheShapes() {
        CliTest.Run run = CliTest.lamina("synth", "--help");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("tinyllama-1.1b") && run.out().contains("llama-3.2-1b"), run.out());
    }

    @Test
    void infoPrintsTheCpuVariant() {
        CliTest.Run run = CliTest.lamina("info", "-m", TestData.model("stories260K-f32.gguf").toString(), "--no-tensors",
                "--no-metadata");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("cpu variant:     " + Lamina.cpuVariant()), run.out());
    }

    @Test
    void infoSaysWhatWasRepacked() {
        String q4 = TestData.model("llama2-gqa256-q4_0.gguf").toString();
        CliTest.Run run = CliTest.lamina("info", "-m", q4, "--no-tensors", "--no-metadata");
        assertEquals(0, run.exitCode(), run.err());
        boolean repacks = List.of("scalar", "avx2", "avx512").contains(Lamina.cpuVariant());
        // 2 layers x 7 matrices, and a copy of the output matrix, which this model ties to the embedding.
        assertEquals(repacks, run.out().contains("15 matrices"), run.out());
        CliTest.Run plain = CliTest.lamina("info", "-m", q4, "--no-tensors", "--no-metadata", "--no-repack");
        assertEquals(0, plain.exitCode(), plain.err());
        assertTrue(plain.out().contains("repacked         none"), plain.out());
    }
}
