package dev.lamina.template;

import java.util.Arrays;
import java.util.List;

/**
 * Jinja's compile-time check for unknown filters and tests. Jinja reports an unknown name when it
 * compiles the template, except inside an {@code if} statement or an inline {@code if}
 * expression: there the error waits until that code runs, so a template may guard a filter
 * another renderer has (DeepSeek's {@code from_json}) behind a condition that is false here. A
 * loop, macro, {@code with}, set block or filter block body starts a fresh frame where the check
 * applies again.
 */
final class UnknownNames {
    private UnknownNames() {}

    /** Throws the SYNTAX error Jinja would raise at compile time, if any. */
    static void check(List<Node> nodes) {
        nodes(nodes, false);
    }

    private static void nodes(List<Node> nodes, boolean deferred) {
        for (Node n : nodes) {
            node(n, deferred);
        }
    }

    private static void node(Node node, boolean deferred) {
        switch (node) {
            case Node.Text t -> { }
            case Node.Output o -> expr(o.expr(), deferred);
            case Node.If f -> {
                exprs(f.conditions(), true);
                f.bodies().forEach(b -> nodes(b, true));
                nodes(f.otherwise(), true);
            }
            case Node.For f -> {
                expr(f.iterable(), deferred);
                expr(f.filter(), false);
                nodes(f.body(), false);
                nodes(f.otherwise(), false);
            }
            case Node.Set s -> expr(s.value(), deferred);
            case Node.SetBlock s -> {
                nodes(s.body(), false);
                exprs(s.filters(), false);
            }
            case Node.MacroDef m -> {
                exprs(m.defaults(), false);
                nodes(m.body(), false);
            }
            case Node.CallBlock c -> {
                expr(c.call(), deferred);
                exprs(c.caller().defaults(), false);
                nodes(c.caller().body(), false);
            }
            case Node.FilterBlock f -> {
                expr(f.filter(), false);
                nodes(f.body(), false);
            }
            case Node.With w -> {
                exprs(w.values(), deferred);
                nodes(w.body(), false);
            }
            case Node.Unsupported u -> { }
            case Node.Break b -> { }
            case Node.Continue c -> { }
        }
    }

    private static void exprs(List<? extends Expr> exprs, boolean deferred) {
        for (Expr e : exprs) {
            expr(e, deferred);
        }
    }

    private static void expr(Expr e, boolean deferred) {
        switch (e) {
            case null -> { }
            case Expr.Const c -> { }
            case Expr.Name n -> { }
            case Expr.ListLit l -> exprs(l.items(), deferred);
            case Expr.DictLit d -> {
                exprs(d.keys(), deferred);
                exprs(d.values(), deferred);
            }
            case Expr.GetAttr g -> expr(g.object(), deferred);
            case Expr.GetItem g -> {
                expr(g.object(), deferred);
                expr(g.key(), deferred);
            }
            case Expr.Slice s -> exprs(Arrays.asList(s.object(), s.start(), s.stop(), s.step()), deferred);
            case Expr.Call c -> {
                expr(c.callee(), deferred);
                exprs(c.args(), deferred);
                exprs(c.kwargValues(), deferred);
            }
            case Expr.Filter f -> {
                if (!deferred && !Filters.exists(f.name())) {
                    throw unknown("filter", f.name(), f.line(), f.column());
                }
                expr(f.value(), deferred);
                exprs(f.args(), deferred);
                exprs(f.kwargValues(), deferred);
            }
            case Expr.Test t -> {
                if (!deferred && !JinjaTests.exists(t.name())) {
                    throw unknown("test", t.name(), t.line(), t.column());
                }
                expr(t.value(), deferred);
                exprs(t.args(), deferred);
            }
            case Expr.Binary b -> {
                expr(b.left(), deferred);
                expr(b.right(), deferred);
            }
            case Expr.Negate n -> expr(n.operand(), deferred);
            case Expr.Plus p -> expr(p.operand(), deferred);
            case Expr.Not n -> expr(n.operand(), deferred);
            case Expr.And a -> {
                expr(a.left(), deferred);
                expr(a.right(), deferred);
            }
            case Expr.Or o -> {
                expr(o.left(), deferred);
                expr(o.right(), deferred);
            }
            case Expr.Compare c -> {
                expr(c.first(), deferred);
                exprs(c.rest(), deferred);
            }
            case Expr.Conditional c -> exprs(Arrays.asList(c.test(), c.then(), c.otherwise()), true);
        }
    }

    private static TemplateException unknown(String kind, String name, int line, int column) {
        return new TemplateException(TemplateException.Kind.SYNTAX, "No " + kind + " named '" + name + "'.", line,
                column);
    }
}
