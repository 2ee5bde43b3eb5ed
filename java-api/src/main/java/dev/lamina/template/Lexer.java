package dev.lamina.template;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a template into tokens as Jinja's lexer does with Hugging Face's settings:
 * {@code trim_blocks} (a block or comment tag eats one following newline), {@code lstrip_blocks}
 * (spaces before a block or comment tag on its own line are dropped), {@code -}/{@code +}
 * whitespace control, {@code keep_trailing_newline=False}, and newlines normalized to \n.
 */
final class Lexer {
    private static final String[] OPERATORS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "/", "*", "%", "~",
        "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"};

    private final String src;
    private final int[] lineStarts;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private boolean lineStarting = true;

    private Lexer(String source) {
        this.src = normalize(source);
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < src.length(); i++) {
            if (src.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return lexer.tokens;
    }

    /** Python's {@code "\n".join(source.splitlines())}: every line break becomes \n, a final one is dropped. */
    static String normalize(String source) {
        StringBuilder sb = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '\r' && i + 1 < source.length() && source.charAt(i + 1) == '\n') {
                sb.append('\n');
                i += 2;
                continue;
            }
            boolean lineBreak = c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d
                    || c == 0x1e || c == 0x85 || c == 0x2028 || c == 0x2029;
            sb.append(lineBreak ? '\n' : c);
            i++;
        }
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\n') {
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }

    private int line(int at) {
        int i = Arrays.binarySearch(lineStarts, at);
        return (i >= 0 ? i : -i - 2) + 1;
    }

    private int column(int at) {
        return at - lineStarts[line(at) - 1] + 1;
    }

    private TemplateException error(String message, int at) {
        return new TemplateException(TemplateException.Kind.SYNTAX, message, line(at), column(at));
    }

    private void emit(Token.Kind kind, String text, int at) {
        tokens.add(new Token(kind, text, line(at), column(at)));
    }

    private void run() {
        while (pos < src.length()) {
            int tag = nextTagStart(pos);
            if (tag < 0) {
                emit(Token.Kind.DATA, src.substring(pos), pos);
                break;
            }
            String text = src.substring(pos, tag);
            char kind = src.charAt(tag + 1);
            char sign = tag + 2 < src.length() ? src.charAt(tag + 2) : 0;
            if (sign != '-' && sign != '+') {
                sign = 0;
            }
            if (sign == '-') {
                text = PyStrings.strip(text, null, false, true);
            } else if (sign != '+' && kind != '{') {
                int lineStart = text.lastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && lineStart < text.length()
                        && text.substring(lineStart).codePoints().allMatch(PyStrings::isSpace)) {
                    text = text.substring(0, lineStart);
                }
            }
            if (!text.isEmpty()) {
                emit(Token.Kind.DATA, text, pos);
            }
            int inner = tag + 2 + (sign != 0 ? 1 : 0);
            switch (kind) {
                case '#' -> comment(tag, inner);
                case '{' -> tag(tag, inner, false);
                default -> {
                    if (!raw(tag, inner)) {
                        tag(tag, inner, true);
                    }
                }
            }
        }
        emit(Token.Kind.EOF, "", src.length());
    }

    private int nextTagStart(int from) {
        int i = src.indexOf('{', from);
        while (i >= 0 && i + 1 < src.length()) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i = src.indexOf('{', i + 1);
        }
        return -1;
    }

    private void comment(int tag, int inner) {
        int end = src.indexOf("#}", inner);
        if (end < 0) {
            throw error("missing end of comment tag", tag);
        }
        boolean strip = end > inner && src.charAt(end - 1) == '-';
        boolean keep = end > inner && src.charAt(end - 1) == '+';
        finishTag(end + 2, strip, !keep);
    }

    /** After a tag's closing delimiter: {@code -} eats all whitespace, otherwise trim_blocks eats one newline. */
    private void finishTag(int after, boolean strip, boolean trimNewline) {
        int p = after;
        if (strip) {
            while (p < src.length() && PyStrings.isSpace(src.charAt(p))) {
                p++;
            }
        } else if (trimNewline && p < src.length() && src.charAt(p) == '\n') {
            p++;
        }
        lineStarting = p > 0 && src.charAt(p - 1) == '\n';
        pos = p;
    }

    /** {@code {% raw %}...{% endraw %}}: everything between is text. */
    private boolean raw(int tag, int inner) {
        int p = skipSpace(inner);
        if (!src.startsWith("raw", p)) {
            return false;
        }
        p = skipSpace(p + 3);
        boolean strip = src.startsWith("-%}", p);
        if (!strip && !src.startsWith("%}", p)) {
            return false;
        }
        p += strip ? 3 : 2;
        if (strip) {
            while (p < src.length() && PyStrings.isSpace(src.charAt(p))) {
                p++;
            }
        }
        int search = p;
        while (true) {
            int end = src.indexOf("{%", search);
            if (end < 0) {
                throw error("missing end of raw directive", tag);
            }
            int q = end + 2;
            char sign = q < src.length() ? src.charAt(q) : 0;
            if (sign == '-' || sign == '+') {
                q++;
            }
            q = skipSpace(q);
            if (src.startsWith("endraw", q)) {
                q = skipSpace(q + 6);
                String text = src.substring(p, end);
                if (sign == '-') {
                    text = PyStrings.strip(text, null, false, true);
                }
                if (!text.isEmpty()) {
                    emit(Token.Kind.DATA, text, p);
                }
                if (src.startsWith("-%}", q)) {
                    finishTag(q + 3, true, false);
                } else if (src.startsWith("+%}", q)) {
                    finishTag(q + 3, false, false);
                } else if (src.startsWith("%}", q)) {
                    finishTag(q + 2, false, true);
                } else {
                    throw error("expected end of endraw tag", q);
                }
                return true;
            }
            search = end + 2;
        }
    }

    private int skipSpace(int p) {
        while (p < src.length() && PyStrings.isSpace(src.charAt(p))) {
            p++;
        }
        return p;
    }

    private void tag(int tag, int inner, boolean block) {
        emit(block ? Token.Kind.BLOCK_BEGIN : Token.Kind.VAR_BEGIN, block ? "{%" : "{{", tag);
        int p = inner;
        int depth = 0;
        while (true) {
            p = skipSpace(p);
            if (p >= src.length()) {
                throw error("unexpected end of template, expected end of " + (block ? "statement" : "print")
                        + " tag", tag);
            }
            if (depth == 0) {
                if (block) {
                    if (src.startsWith("-%}", p) || src.startsWith("+%}", p) || src.startsWith("%}", p)) {
                        char c = src.charAt(p);
                        emit(Token.Kind.BLOCK_END, "%}", p);
                        finishTag(p + (c == '%' ? 2 : 3), c == '-', c == '%');
                        return;
                    }
                } else if (src.startsWith("-}}", p) || src.startsWith("}}", p)) {
                    boolean strip = src.charAt(p) == '-';
                    emit(Token.Kind.VAR_END, "}}", p);
                    finishTag(p + (strip ? 3 : 2), strip, false);
                    return;
                }
            }
            char c = src.charAt(p);
            if (Character.isLetter(c) || c == '_') {
                int start = p;
                while (p < src.length() && (Character.isLetterOrDigit(src.charAt(p)) || src.charAt(p) == '_')) {
                    p++;
                }
                emit(Token.Kind.NAME, src.substring(start, p), start);
            } else if (c >= '0' && c <= '9') {
                p = number(p);
            } else if (c == '\'' || c == '"') {
                p = string(p);
            } else {
                String op = null;
                for (String candidate : OPERATORS) {
                    if (src.startsWith(candidate, p)) {
                        op = candidate;
                        break;
                    }
                }
                if (op == null) {
                    throw error("unexpected char '" + c + "'", p);
                }
                switch (op) {
                    case "(", "[", "{" -> depth++;
                    case ")", "]", "}" -> {
                        if (depth == 0) {
                            throw error("unexpected '" + op + "'", p);
                        }
                        depth--;
                    }
                    default -> {}
                }
                emit(Token.Kind.OPERATOR, op, p);
                p += op.length();
            }
        }
    }

    private int digits(int p) {
        while (p < src.length() && (Character.isDigit(src.charAt(p))
                || (src.charAt(p) == '_' && p + 1 < src.length() && Character.isDigit(src.charAt(p + 1))))) {
            p++;
        }
        return p;
    }

    private int number(int start) {
        int p = digits(start);
        boolean isFloat = false;
        boolean afterDot = start > 0 && src.charAt(start - 1) == '.';
        if (!afterDot) {
            if (p + 1 < src.length() && src.charAt(p) == '.' && Character.isDigit(src.charAt(p + 1))) {
                p = digits(p + 1);
                isFloat = true;
            }
            if (p < src.length() && (src.charAt(p) == 'e' || src.charAt(p) == 'E')) {
                int q = p + 1;
                if (q < src.length() && (src.charAt(q) == '+' || src.charAt(q) == '-')) {
                    q++;
                }
                if (q < src.length() && Character.isDigit(src.charAt(q))) {
                    p = digits(q);
                    isFloat = true;
                }
            }
        }
        emit(isFloat ? Token.Kind.FLOAT : Token.Kind.INTEGER, src.substring(start, p).replace("_", ""), start);
        return p;
    }

    private int string(int start) {
        char quote = src.charAt(start);
        StringBuilder sb = new StringBuilder();
        int p = start + 1;
        while (true) {
            if (p >= src.length()) {
                throw error("unterminated string", start);
            }
            char c = src.charAt(p++);
            if (c == quote) {
                break;
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (p >= src.length()) {
                throw error("unterminated string", start);
            }
            char e = src.charAt(p++);
            switch (e) {
                case '\n' -> {}
                case '\\' -> sb.append('\\');
                case '\'' -> sb.append('\'');
                case '"' -> sb.append('"');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (p + n > src.length()) {
                        throw error("truncated \\" + e + " escape", p - 2);
                    }
                    try {
                        sb.appendCodePoint(Integer.parseInt(src.substring(p, p + n), 16));
                    } catch (IllegalArgumentException ex) {
                        throw error("bad \\" + e + " escape", p - 2);
                    }
                    p += n;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int q = p - 1;
                        int end = q;
                        while (end < src.length() && end < q + 3 && src.charAt(end) >= '0' && src.charAt(end) <= '7') {
                            end++;
                        }
                        sb.appendCodePoint(Integer.parseInt(src.substring(q, end), 8));
                        p = end;
                    } else {
                        sb.append('\\').append(e);
                    }
                }
            }
        }
        emit(Token.Kind.STRING, sb.toString(), start);
        return p;
    }
}
