package dev.lamina.cli;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Deterministic mixed-script text for the tokenizer benchmark: the same seed gives the same text,
 * so speeds measured on different days or machines tokenize exactly the same input.
 */
final class BenchText {
    private BenchText() {}

    private static final String[] ENGLISH = {
        "The quick brown fox jumps over the lazy dog while the farmer watches from the porch.",
        "In 1969, astronauts walked on the Moon; it took them four days to get there.",
        "She didn't think it'd rain, but they'd packed umbrellas anyway - just in case.",
        "Tokenizers split text into pieces that a language model has learned to predict.",
        "Once upon a time, there was a little girl who loved to read books under the old oak tree.",
        "\"Why not?\" he asked. \"Because we've never tried it before,\" she replied, smiling.",
    };
    private static final String[] CODE = {
        "for (int i = 0; i < n; i++) {\n    sum += values[i] * weights[i];\n}\n",
        "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
        "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name;\n",
        "const xs = [1, 2, 3].map((x) => x ** 2).filter(Boolean);\n",
        "    if (status != LM_OK) { return fail(status, \"bad tensor\"); }\n",
    };
    private static final String[] OTHER_SCRIPTS = {
        "我想在苹果公司工作，因为他们的产品设计非常出色。今天天气很好。",
        "東京は日本の首都です。ひらがなとカタカナと漢字を使います。",
        "Съешь же ещё этих мягких французских булок, да выпей чаю.",
        "нещо на Български: Здравейте, как сте днес?",
        "កាន់តែពិសេសអាចខលចេញ",
        "Cửa Việt, Ελληνικά γράμματα, Ünïcödé àccénts, façade, naïve, Straße.",
        "🚀 launch 😶‍🌫️ fog ✅ done 🦙🦙 llama 👍🏽 thumbs 🇩🇪 flag",
    };

    /** About {@code bytes} bytes of UTF-8 (never splitting a character), from a fixed seed. */
    static String generate(long bytes) {
        SplittableRandom random = new SplittableRandom(0x70CE1L);
        StringBuilder sb = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 16, bytes));
        long size = 0;
        while (size < bytes) {
            String piece = switch (random.nextInt(10)) {
                case 0, 1, 2, 3 -> ENGLISH[random.nextInt(ENGLISH.length)] + " ";
                case 4, 5 -> CODE[random.nextInt(CODE.length)];
                case 6 -> String.format(Locale.ROOT, "%d.%02d %,d 0x%X %de%d ", random.nextInt(1000),
                        random.nextInt(100), random.nextInt(1_000_000_000), random.nextInt(), random.nextInt(10),
                        random.nextInt(20) - 10);
                case 7 -> random.nextBoolean() ? "\n\n" : "\n\t";
                default -> OTHER_SCRIPTS[random.nextInt(OTHER_SCRIPTS.length)] + " ";
            };
            long pieceBytes = piece.getBytes(StandardCharsets.UTF_8).length;
            if (size + pieceBytes > bytes) {
                piece = prefixOfAtMost(piece, bytes - size);
                pieceBytes = piece.getBytes(StandardCharsets.UTF_8).length;
                if (pieceBytes == 0) {
                    break;
                }
            }
            sb.append(piece);
            size += pieceBytes;
        }
        return sb.toString();
    }

    /** The longest prefix of whole code points that has at most {@code max} UTF-8 bytes. */
    private static String prefixOfAtMost(String s, long max) {
        long n = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (n + len > max) {
                break;
            }
            n += len;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }
}
