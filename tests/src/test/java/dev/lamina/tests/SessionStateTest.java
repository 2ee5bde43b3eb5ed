package dev.lamina.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.GeneratedToken;
import dev.lamina.Generation;
import dev.lamina.GenerationOptions;
import dev.lamina.InvalidArgumentException;
import dev.lamina.KvType;
import dev.lamina.Model;
import dev.lamina.ModelFormatException;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.SessionSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Session state saved to a file or a snapshot, and a conversation resumed from it. */
class SessionStateTest {
    private static final GenerationOptions NEXT = GenerationOptions.sampled(0.9f, 40, 0.95f, 5).maxTokens(12);

    @TempDir
    Path dir;

    private static List<Integer> continueGenerating(Session session) {
        try (Generation g = session.generate(new int[0], NEXT)) {
            List<Integer> ids = new ArrayList<>();
            for (GeneratedToken t : g) ids.add(t.id());
            return ids;
        }
    }

    @Test
    void aRestoredSessionContinuesExactly() throws IOException {
        Path file = dir.resolve("chat.lmstate");
        try (Model model = Model.load(TestData.model("stories260K-f32.gguf"));
             Session a = model.newSession(SessionOptions.builder().contextLength(256).build())) {
            a.evaluate(new int[] {1, 400, 35, 291, 77, 310}, 0, false);
            float[] logits = a.logitsArray(-1);
            SessionSnapshot snapshot = a.snapshot();
            a.saveState(file);
            List<Integer> expected = continueGenerating(a);
            try (Session b = model.newSession(SessionOptions.builder().contextLength(256).build());
                 Session c = model.newSession(SessionOptions.builder().contextLength(256).build())) {
                b.loadState(file);
                assertEquals(6, b.position());
                assertArrayEquals(logits, b.logitsArray(-1));
                assertEquals(expected, continueGenerating(b));
                c.restore(SessionSnapshot.fromBytes(snapshot.toBytes()));
                assertEquals(expected, continueGenerating(c));
            }
            a.restore(snapshot);
            assertEquals(expected, continueGenerating(a));
            assertEquals(Files.size(file), snapshot.size());
        }
    }

    @Test
    void aStateOfAnotherModelOrTypeOrCorruptIsRefused() throws IOException {
        Path file = dir.resolve("state.lmstate");
        try (Model model = Model.load(TestData.model("stories260K-f32.gguf"));
             Model other = Model.load(TestData.model("llama2-mha-f32.gguf"));
             Session a = model.newSession()) {
            a.evaluate(new int[] {1, 400, 35}, 0, false);
            a.saveState(file);
            try (Session f32 = model.newSession(SessionOptions.builder().kvType(KvType.F32).build())) {
                InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> f32.loadState(file));
                assertTrue(e.getMessage().contains("use the same kv_type"), e.getMessage());
            }
            try (Session foreign = other.newSession()) {
                InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> foreign.loadState(file));
                assertTrue(e.getMessage().contains("saved from another model"), e.getMessage());
                assertEquals(0, foreign.position(), "a refused state changes nothing");
            }
            byte[] bytes = Files.readAllBytes(file);
            Path cut = Files.write(dir.resolve("cut.lmstate"), Arrays.copyOf(bytes, bytes.length - 100));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> a.loadState(cut));
            assertTrue(e.getMessage().contains("cut.lmstate") && e.getMessage().contains("checksum"), e.getMessage());
            assertEquals(3, a.position());
        }
    }
}
