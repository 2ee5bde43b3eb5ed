package dev.lamina.template;

import java.util.List;

/** A parsed template statement. */
sealed interface Node {
    int line();

    record Text(String text, int line) implements Node {}

    record Output(Expr expr, int line) implements Node {}

    record If(List<Expr> conditions, List<List<Node>> bodies, List<Node> otherwise, int line) implements Node {}

    /** A for loop; a {@code recursive} one can run its body again over other items with {@code loop(items)}. */
    record For(Target target, Expr iterable, Expr filter, boolean recursive, List<Node> body, List<Node> otherwise,
            int line) implements Node {}

    record Set(Target target, Expr value, int line) implements Node {}

    /** {@code {% set name %}...{% endset %}}, with optional filters applied to the captured text. */
    record SetBlock(Target target, List<Node> body, List<Expr.Filter> filters, int line) implements Node {}

    record MacroDef(String name, List<String> params, List<Expr> defaults, List<Node> body, int line)
            implements Node {}

    /** {@code {% call %}}: {@code call} made with the block as the {@code caller} macro. */
    record CallBlock(MacroDef caller, Expr.Call call, int line) implements Node {}

    /** {@code {% filter f %}...{% endfilter %}}: filter is applied to a placeholder value. */
    record FilterBlock(Expr.Filter filter, List<Node> body, int line) implements Node {}

    record With(List<Target> targets, List<Expr> values, List<Node> body, int line) implements Node {}

    /** A statement Jinja parses but this environment cannot run; executing it fails with the message. */
    record Unsupported(String message, int line) implements Node {}

    record Break(int line) implements Node {}

    record Continue(int line) implements Node {}

    /** Where an assignment goes: a name, a namespace attribute or a tuple of names. */
    sealed interface Target {
        record Name(String name) implements Target {}

        record Attr(String object, String attr) implements Target {}

        record Tuple(List<Target> items) implements Target {}
    }
}
