package dev.lamina.bench;

import static dev.lamina.bindings.lamina_h.lm_model_default_params;
import static dev.lamina.bindings.lamina_h.lm_model_free;
import static dev.lamina.bindings.lamina_h.lm_model_load;
import static dev.lamina.bindings.lamina_h.lm_session_default_params;
import static dev.lamina.bindings.lamina_h.lm_session_eval;
import static dev.lamina.bindings.lamina_h.lm_session_free;
import static dev.lamina.bindings.lamina_h.lm_session_logits;
import static dev.lamina.bindings.lamina_h.lm_session_n_past;
import static dev.lamina.bindings.lamina_h.lm_session_new;
import static dev.lamina.bindings.lamina_h.lm_session_truncate;

import dev.lamina.Lamina;
import dev.lamina.Logits;
import dev.lamina.Model;
import dev.lamina.Session;
import dev.lamina.SessionOptions;
import dev.lamina.bindings.lm_session_params;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Java→native cost of one generated token on stories260K with 1 thread (a model so small
 * that the bridge is a visible share of the time):
 * <ul>
 *   <li>{@code javaApi}: Session.evaluate(int) + zero-copy logits + argmax — what a Java decoding loop does;</li>
 *   <li>{@code rawBindings}: the same three steps straight through the jextract bindings (no Session
 *       guard, no exception mapping) — the floor for any Java caller;</li>
 *   <li>{@code trivialDowncall}: one FFM call that does next to nothing (lm_session_n_past), the fixed
 *       cost of crossing into native code once.</li>
 * </ul>
 * javaApi − rawBindings is what the Java API adds per token; {@code -prof gc} shows its allocation
 * (expected: 0 B/op). The model comes from {@code -Dlamina.bench.model}, else
 * $LAMINA_TEST_DATA/models/stories260K-f32.gguf, else ../shared/models/stories260K-f32.gguf.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TokenCallBenchmark {
    private static final int CONTEXT = 256;

    @Param({""})
    public String model;

    private Model javaModel;
    private Session session;
    private int token;

    private Arena arena;
    private MemorySegment rawModel;
    private MemorySegment rawSession;
    private MemorySegment tokenBuffer;
    private MemorySegment intOut;
    private MemorySegment pointerOut;
    private int vocab;
    private int rawToken;

    @Setup(Level.Trial)
    public void setUp() {
        Path file = modelFile(model);
        javaModel = Model.load(file);
        session = javaModel.newSession(SessionOptions.builder().contextLength(CONTEXT).threads(1).build());
        token = javaModel.info().bos();
        vocab = javaModel.info().vocabSize();

        arena = Arena.ofConfined();
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        check(lm_model_load(arena.allocateFrom(file.toString()), lm_model_default_params(arena), out));
        rawModel = out.get(ValueLayout.ADDRESS, 0);
        MemorySegment params = lm_session_default_params(arena);
        lm_session_params.n_ctx(params, CONTEXT);
        lm_session_params.n_threads(params, 1);
        check(lm_session_new(rawModel, params, out));
        rawSession = out.get(ValueLayout.ADDRESS, 0);
        tokenBuffer = arena.allocate(ValueLayout.JAVA_INT);
        intOut = arena.allocate(ValueLayout.JAVA_INT);
        pointerOut = arena.allocate(ValueLayout.ADDRESS);
        rawToken = token;
        System.out.println("\nCPU variant " + Lamina.cpuVariant() + ", model " + file);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        session.close();
        javaModel.close();
        lm_session_free(rawSession);
        lm_model_free(rawModel);
        arena.close();
    }

    @Benchmark
    public int javaApi() {
        if (session.position() >= CONTEXT - 1) {
            session.truncate(0);
        }
        session.evaluate(token);
        token = Logits.argmax(session.logitsSegment(-1));
        return token;
    }

    @Benchmark
    public int rawBindings() {
        check(lm_session_n_past(rawSession, intOut));
        int pos = intOut.get(ValueLayout.JAVA_INT, 0);
        if (pos >= CONTEXT - 1) {
            check(lm_session_truncate(rawSession, 0));
            pos = 0;
        }
        tokenBuffer.set(ValueLayout.JAVA_INT, 0, rawToken);
        check(lm_session_eval(rawSession, tokenBuffer, 1, pos, false));
        check(lm_session_logits(rawSession, -1, pointerOut));
        MemorySegment logits = MemorySegment.ofAddress(pointerOut.get(ValueLayout.JAVA_LONG, 0))
                .reinterpret((long) vocab * Float.BYTES);
        rawToken = Logits.argmax(logits);
        return rawToken;
    }

    /** A native call that does (almost) nothing: reads the session's position. Returns a primitive, so nothing escapes. */
    @Benchmark
    public int trivialDowncall() {
        lm_session_n_past(rawSession, intOut);
        return intOut.get(ValueLayout.JAVA_INT, 0);
    }

    private static void check(int status) {
        if (status != 0) {
            throw new IllegalStateException("native call failed with status " + status);
        }
    }

    private static Path modelFile(String param) {
        String prop = System.getProperty("lamina.bench.model", param);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        String data = System.getenv("LAMINA_TEST_DATA");
        Path p = Path.of(data != null && !data.isBlank() ? data : "../shared", "models", "stories260K-f32.gguf");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("benchmark model not found at " + p.toAbsolutePath()
                    + ": set LAMINA_TEST_DATA or -Dlamina.bench.model=FILE");
        }
        return p.toAbsolutePath();
    }
}
