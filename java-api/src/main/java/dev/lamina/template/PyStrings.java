package dev.lamina.template;

import java.util.ArrayList;
import java.util.List;

/** Python {@code str} operations, which count code points where Java counts UTF-16 units. */
final class PyStrings {
    private PyStrings() {}

    /** Python's {@code str.isspace()} for one code point. */
    static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    static int[] codePoints(String s) {
        return s.codePoints().toArray();
    }

    static String fromCodePoints(int[] cps, int from, int to) {
        return new String(cps, from, Math.max(0, to - from));
    }

    static List<Object> chars(String s) {
        List<Object> out = new ArrayList<>();
        s.codePoints().forEach(cp -> out.add(Character.toString(cp)));
        return out;
    }

    /** {@code s.strip(chars)}; chars null means whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int[] cps = codePoints(s);
        int from = 0;
        int to = cps.length;
        if (left) {
            while (from < to && stripped(cps[from], chars)) {
                from++;
            }
        }
        if (right) {
            while (to > from && stripped(cps[to - 1], chars)) {
                to--;
            }
        }
        return fromCodePoints(cps, from, to);
    }

    private static boolean stripped(int cp, String chars) {
        return chars == null ? isSpace(cp) : chars.indexOf(Character.toString(cp)) >= 0;
    }

    /** {@code s.split(sep, maxsplit)}; sep null splits on whitespace runs and drops empties. */
    static List<Object> split(String s, String sep, int maxsplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int[] cps = codePoints(s);
            int i = 0;
            while (true) {
                while (i < cps.length && isSpace(cps[i])) {
                    i++;
                }
                if (i >= cps.length) {
                    break;
                }
                if (maxsplit >= 0 && out.size() == maxsplit) {
                    int end = cps.length;
                    while (end > i && isSpace(cps[end - 1])) {
                        end--;
                    }
                    out.add(fromCodePoints(cps, i, end));
                    break;
                }
                int start = i;
                while (i < cps.length && !isSpace(cps[i])) {
                    i++;
                }
                out.add(fromCodePoints(cps, start, i));
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new EvalError("empty separator");
        }
        int start = 0;
        while (maxsplit < 0 || out.size() < maxsplit) {
            int at = s.indexOf(sep, start);
            if (at < 0) {
                break;
            }
            out.add(s.substring(start, at));
            start = at + sep.length();
        }
        out.add(s.substring(start));
        return out;
    }

    /** {@code s.rsplit(sep, maxsplit)}. */
    static List<Object> rsplit(String s, String sep, int maxsplit) {
        if (maxsplit < 0) {
            return split(s, sep, -1);
        }
        if (sep == null) {
            // Split from the right: reverse, split, reverse back.
            String reversed = new StringBuilder(s).reverse().toString();
            List<Object> parts = split(reversed, null, maxsplit);
            List<Object> out = new ArrayList<>();
            for (int i = parts.size() - 1; i >= 0; i--) {
                out.add(new StringBuilder((String) parts.get(i)).reverse().toString());
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new EvalError("empty separator");
        }
        List<Object> out = new ArrayList<>();
        int end = s.length();
        while (out.size() < maxsplit) {
            int at = s.lastIndexOf(sep, end - sep.length());
            if (at < 0) {
                break;
            }
            out.add(0, s.substring(at + sep.length(), end));
            end = at;
        }
        out.add(0, s.substring(0, end));
        return out;
    }

    /** Python {@code str.replace(old, new, count)}. */
    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            count = Long.MAX_VALUE;
        }
        if (old.isEmpty()) {
            // Python inserts the replacement around every code point.
            StringBuilder sb = new StringBuilder();
            int[] cps = codePoints(s);
            long done = 0;
            for (int cp : cps) {
                if (done < count) {
                    sb.append(replacement);
                    RenderBudget.checkBuild(sb.length());
                    done++;
                }
                sb.appendCodePoint(cp);
            }
            if (done < count) {
                sb.append(replacement);
            }
            return sb.toString();
        }
        StringBuilder sb = new StringBuilder();
        int start = 0;
        long done = 0;
        while (done < count) {
            int at = s.indexOf(old, start);
            if (at < 0) {
                break;
            }
            sb.append(s, start, at).append(replacement);
            RenderBudget.checkBuild(sb.length());
            start = at + old.length();
            done++;
        }
        return sb.append(s.substring(start)).toString();
    }

    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        int n = Character.charCount(first);
        return new String(Character.toChars(Character.toTitleCase(first))) + s.substring(n).toLowerCase(java.util.Locale.ROOT);
    }

    /** Python's {@code str.title()}: words are runs of cased letters. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean previousCased = false;
        for (int cp : codePoints(s)) {
            if (Character.isLetter(cp)) {
                sb.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
                previousCased = true;
            } else {
                sb.appendCodePoint(cp);
                previousCased = false;
            }
        }
        return sb.toString();
    }

    /** Compares by code point, as Python orders strings. */
    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** Python's {@code repr()} of a string. */
    static String repr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        for (int cp : codePoints(s)) {
            if (cp == quote || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (!isPrintable(cp)) {
                if (cp < 0x100) {
                    sb.append(String.format("\\x%02x", cp));
                } else if (cp < 0x10000) {
                    sb.append(String.format("\\u%04x", cp));
                } else {
                    sb.append(String.format("\\U%08x", cp));
                }
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.append(quote).toString();
    }

    private static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                    Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
