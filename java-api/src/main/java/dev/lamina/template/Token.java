package dev.lamina.template;

/** One lexical token; for STRING, {@code text} is the decoded value. */
record Token(Kind kind, String text, int line, int column) {
    enum Kind { DATA, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isName(String t) {
        return is(Kind.NAME, t);
    }

    boolean isOp(String t) {
        return is(Kind.OPERATOR, t);
    }

    String describe() {
        return switch (kind) {
            case EOF -> "end of template";
            case VAR_END -> "end of print statement";
            case BLOCK_END -> "end of statement block";
            case DATA -> "template data";
            case STRING -> "string";
            default -> "'" + text + "'";
        };
    }
}
