package dev.lamina.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tokenizer conformance cases of {@code vocab/NAME.inp} and {@code NAME.out}, split exactly as
 * llama.cpp's tests/test-tokenizer-0.cpp splits them: the .inp text is cut at every
 * {@code "\n__ggml_vocab_test__\n"} (the separator owns the newlines around the marker, so an input
 * may be empty or consist of newlines); text after the last separator is one more input only if
 * it is non-empty (the file ends with a separator, which closes the last input). Line i of .out
 * holds the ids of input i, separated by spaces (surrounding whitespace ignored).
 */
public final class VocabCases {
    public static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    /** One input and the ids llama.cpp gives it (no BOS, special tokens parsed). */
    public record Case(int index, String text, int[] ids) {
        /** A short printable name for a dynamic test. */
        public String displayName() {
            String escaped = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
            if (escaped.codePointCount(0, escaped.length()) > 40) {
                escaped = escaped.substring(0, escaped.offsetByCodePoints(0, 40)) + "…";
            }
            return "#" + index + " \"" + escaped + "\"";
        }
    }

    private VocabCases() {}

    /** The vocabulary file {@code vocab/NAME} (fails with a message if it is missing). */
    public static Path vocab(String name) {
        return require(TestData.root().resolve("vocab").resolve(name));
    }

    public static List<Case> read(String vocabName) {
        return read(vocabName, ".out");
    }

    /** With the ids of {@code NAME + outSuffix}: ".out", or ".special.out" (special tokens parsed). */
    public static List<Case> read(String vocabName, String outSuffix) {
        Path inp = require(TestData.root().resolve("vocab").resolve(vocabName + ".inp"));
        Path out = require(TestData.root().resolve("vocab").resolve(vocabName + outSuffix));
        List<String> inputs = splitInputs(readUtf8(inp));
        List<String> lines = new ArrayList<>(Arrays.asList(readUtf8(out).split("\n", -1)));
        // getline semantics: a final newline ends the last line, it does not start an empty one.
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        if (inputs.size() != lines.size()) {
            throw new AssertionError(inp + " has " + inputs.size() + " inputs but " + out + " has "
                    + lines.size() + " lines");
        }
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String line = lines.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(i, inputs.get(i), ids));
        }
        if (cases.isEmpty()) {
            throw new AssertionError(inp + " has no cases");
        }
        return cases;
    }

    static List<String> splitInputs(String raw) {
        List<String> inputs = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(SEPARATOR, pos);
            if (next < 0) {
                inputs.add(raw.substring(pos));
                break;
            }
            inputs.add(raw.substring(pos, next));
            pos = next + SEPARATOR.length();
        }
        return inputs;
    }

    /** Strict UTF-8: a malformed test file fails loudly instead of being silently repaired. */
    private static String readUtf8(Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError(file + " is not valid UTF-8: " + e, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Path require(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("tokenizer test file missing: " + p);
        }
        return p;
    }
}
