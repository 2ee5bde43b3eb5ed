package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.InvalidArgumentException;
import dev.lamina.LaminaException;
import dev.lamina.Model;
import dev.lamina.ModelInfo;
import dev.lamina.ModelOptions;
import dev.lamina.SessionOptions;
import dev.lamina.TensorInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/** Model facts, metadata, tensors, vocab-only loading and concurrent use of one model. */
class ModelInfoTest {
    @Test
    void infoMetadataAndTensorsDescribeTheFile() throws Exception {
        try (Model model = Model.load(TestData.model("llama2-gqa256-f16.gguf"))) {
            ModelInfo info = model.info();
            assertEquals("llama", info.architecture());
            assertEquals(3, info.ggufVersion());
            assertEquals(32000, info.vocabSize());
            assertEquals(256, info.embeddingLength());
            assertEquals(2, info.layerCount());
            assertEquals(8, info.headCount());
            assertEquals(4, info.kvHeadCount());
            assertEquals(512, info.feedForwardLength());
            assertEquals(32, info.headDim());
            assertEquals(1, info.bos());
            assertEquals(2, info.eos());
            assertTrue(info.addBos());

            Map<String, String> metadata = model.metadata();
            assertEquals(info.metadataCount(), metadata.size());
            assertEquals("llama", metadata.get("general.architecture"));
            assertEquals("general.architecture", metadata.keySet().iterator().next(), "file order");
            assertEquals(Optional.of("llama"), model.findMetadataString("general.architecture"));
            assertEquals(Optional.empty(), model.findMetadataString("no.such.key"));
            assertEquals("llama", model.metadataString("general.architecture"));
            InvalidArgumentException missing = assertThrows(InvalidArgumentException.class,
                    () -> model.metadataString("no.such.key"));
            assertTrue(missing.getMessage().contains("no.such.key"), missing.getMessage());

            GgufLayout layout = GgufLayout.read(model.path());
            List<TensorInfo> tensors = model.tensors();
            assertEquals(info.tensorCount(), tensors.size());
            assertEquals(List.copyOf(layout.tensors.keySet()), tensors.stream().map(TensorInfo::name).toList());
            TensorInfo embedding = tensors.stream().filter(t -> t.name().equals("token_embd.weight")).findFirst().orElseThrow();
            assertEquals(List.of(256L, 32000L), embedding.shape());
            assertEquals("F16", embedding.typeName());
            assertEquals(256L * 32000 * 2, embedding.bytes());
            assertEquals(info.tensorBytes(), tensors.stream().mapToLong(TensorInfo::bytes).sum());
            assertEquals(info.parameterCount(), tensors.stream().mapToLong(TensorInfo::elementCount).sum());
        }
    }

    @Test
    void vocabOnlyModelsTokenizeButHaveNoSessions() {
        TestData.Golden golden = TestData.golden("llama3-gqa-f16");
        try (Model model = Model.load(golden.model(), ModelOptions.builder().vocabOnly(true).build())) {
            assertTrue(model.info().vocabOnly());
            assertArrayEquals(golden.promptIds(), model.tokenizer().encode(golden.prompt()));
            assertThrows(LaminaException.class, () -> model.newSession(SessionOptions.defaults()));
        }
    }

    @Test
    void oneModelServesManyThreadsAtOnce() throws Exception {
        TestData.Golden golden = TestData.golden("llama2-mha-f32");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Model model = Model.load(golden.model())) {
            List<Future<int[]>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                results.add(pool.submit(() -> model.tokenizer().encode(golden.prompt(), true, true)));
            }
            for (Future<int[]> f : results) {
                assertArrayEquals(golden.promptIds(), f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
