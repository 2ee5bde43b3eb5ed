package dev.lamina.template;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja's {@code wordwrap} filter: each line wrapped as Python's {@code textwrap.wrap} wraps it
 * (tabs and whitespace kept, whitespace dropped at the wrap points, long words broken, hyphenated
 * words broken after a hyphen), the pieces joined with the wrap string.
 */
final class WordWrap {
    private WordWrap() {}

    private static final String WS = "[\\t\\n\\x0b\\x0c\\r ]";
    private static final String NOT_WS = "[^\\t\\n\\x0b\\x0c\\r ]";
    private static final String WORD_PUNCT = "[\\w!\"'&.,?]";
    private static final String LETTER = "[^\\d\\W]";
    /** textwrap's chunks when breaking on hyphens: whitespace runs, em-dashes, words split after hyphens. */
    private static final Pattern HYPHENATED_CHUNK = Pattern.compile(
            WS + "+"
            + "|(?<=" + WORD_PUNCT + ")-{2,}(?=\\w)"
            + "|" + NOT_WS + "+?(?:-(?:(?<=" + LETTER + "{2}-)|(?<=" + LETTER + "-" + LETTER + "-))(?=" + LETTER
                    + "-?" + LETTER + ")|(?=" + WS + "|\\z)|(?<=" + WORD_PUNCT + ")(?=-{2,}\\w))",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern SIMPLE_CHUNK = Pattern.compile(WS + "+");

    static String wrap(String s, int width, boolean breakLongWords, String wrapString, boolean breakOnHyphens) {
        if (width <= 0) {
            throw new EvalError("ValueError: invalid width " + width + " (must be > 0)");
        }
        List<String> lines = new ArrayList<>();
        for (Object line : (List<?>) Methods.call(s, "splitlines", List.of(), java.util.Map.of())) {
            lines.add(String.join(wrapString, wrapLine((String) line, width, breakLongWords, breakOnHyphens)));
        }
        return String.join(wrapString, lines);
    }

    private static List<String> chunks(String text, boolean breakOnHyphens) {
        List<String> out = new ArrayList<>();
        Matcher m = (breakOnHyphens ? HYPHENATED_CHUNK : SIMPLE_CHUNK).matcher(text);
        int at = 0;
        while (m.find()) {
            if (m.start() > at) {
                out.add(text.substring(at, m.start()));
            }
            if (m.end() > m.start()) {
                out.add(m.group());
            }
            at = m.end();
        }
        if (at < text.length()) {
            out.add(text.substring(at));
        }
        return out;
    }

    private static boolean blank(String chunk) {
        return PyStrings.strip(chunk, null, true, true).isEmpty();
    }

    private static List<String> wrapLine(String text, int width, boolean breakLongWords, boolean breakOnHyphens) {
        List<String> chunks = chunks(text, breakOnHyphens);
        List<String> lines = new ArrayList<>();
        int next = 0;
        while (next < chunks.size()) {
            List<String> line = new ArrayList<>();
            int length = 0;
            if (blank(chunks.get(next)) && !lines.isEmpty()) {
                next++;
            }
            while (next < chunks.size() && length + PyStrings.length(chunks.get(next)) <= width) {
                length += PyStrings.length(chunks.get(next));
                line.add(chunks.get(next++));
            }
            if (next < chunks.size() && PyStrings.length(chunks.get(next)) > width) {
                int spaceLeft = width - length;
                String chunk = chunks.get(next);
                if (breakLongWords) {
                    int end = spaceLeft;
                    if (breakOnHyphens && PyStrings.length(chunk) > spaceLeft) {
                        int hyphen = chunk.lastIndexOf('-', spaceLeft - 1);
                        if (hyphen > 0 && !chunk.substring(0, hyphen).chars().allMatch(c -> c == '-')) {
                            end = hyphen + 1;
                        }
                    }
                    int cut = chunk.offsetByCodePoints(0, Math.min(end, PyStrings.length(chunk)));
                    line.add(chunk.substring(0, cut));
                    chunks.set(next, chunk.substring(cut));
                } else if (line.isEmpty()) {
                    line.add(chunk);
                    next++;
                }
            }
            if (!line.isEmpty() && blank(line.get(line.size() - 1))) {
                line.remove(line.size() - 1);
            }
            if (!line.isEmpty()) {
                lines.add(String.join("", line));
            }
        }
        return lines;
    }
}
