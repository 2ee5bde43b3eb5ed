package dev.lamina.template;

import java.util.List;

/**
 * Whether a macro body reads a name: Jinja lets a macro take extra positional arguments only if
 * it reads {@code varargs}, and unknown keyword arguments only if it reads {@code kwargs}.
 */
final class NameUse {
    private NameUse() {}

    static boolean inNodes(List<Node> nodes, String name) {
        for (Node n : nodes) {
            if (inNode(n, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inNode(Node node, String name) {
        return switch (node) {
            case Node.Text t -> false;
            case Node.Output o -> inExpr(o.expr(), name);
            case Node.If f -> inExprs(f.conditions(), name) || f.bodies().stream().anyMatch(b -> inNodes(b, name))
                    || inNodes(f.otherwise(), name);
            case Node.For f -> inExpr(f.iterable(), name) || (f.filter() != null && inExpr(f.filter(), name))
                    || inNodes(f.body(), name) || inNodes(f.otherwise(), name);
            case Node.Set s -> inExpr(s.value(), name);
            case Node.SetBlock s -> inNodes(s.body(), name) || inExprs(List.copyOf(s.filters()), name);
            case Node.MacroDef m -> false; // a nested macro has its own varargs
            case Node.CallBlock c -> inExpr(c.call(), name);
            case Node.FilterBlock f -> inNodes(f.body(), name) || inExpr(f.filter(), name);
            case Node.With w -> inExprs(w.values(), name) || inNodes(w.body(), name);
            case Node.Unsupported u -> false;
            case Node.Break b -> false;
            case Node.Continue c -> false;
        };
    }

    private static boolean inExprs(List<? extends Expr> exprs, String name) {
        for (Expr e : exprs) {
            if (e != null && inExpr(e, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inExpr(Expr e, String name) {
        return switch (e) {
            case Expr.Const c -> false;
            case Expr.Name n -> n.name().equals(name);
            case Expr.ListLit l -> inExprs(l.items(), name);
            case Expr.DictLit d -> inExprs(d.keys(), name) || inExprs(d.values(), name);
            case Expr.GetAttr g -> inExpr(g.object(), name);
            case Expr.GetItem g -> inExpr(g.object(), name) || inExpr(g.key(), name);
            case Expr.Slice s -> inExprs(java.util.Arrays.asList(s.object(), s.start(), s.stop(), s.step()), name);
            case Expr.Call c -> inExpr(c.callee(), name) || inExprs(c.args(), name) || inExprs(c.kwargValues(), name);
            case Expr.Filter f -> inExpr(f.value(), name) || inExprs(f.args(), name) || inExprs(f.kwargValues(), name);
            case Expr.Test t -> inExpr(t.value(), name) || inExprs(t.args(), name);
            case Expr.Binary b -> inExpr(b.left(), name) || inExpr(b.right(), name);
            case Expr.Negate n -> inExpr(n.operand(), name);
            case Expr.Plus p -> inExpr(p.operand(), name);
            case Expr.Not n -> inExpr(n.operand(), name);
            case Expr.And a -> inExpr(a.left(), name) || inExpr(a.right(), name);
            case Expr.Or o -> inExpr(o.left(), name) || inExpr(o.right(), name);
            case Expr.Compare c -> inExpr(c.first(), name) || inExprs(c.rest(), name);
            case Expr.Conditional c -> inExprs(java.util.Arrays.asList(c.test(), c.then(), c.otherwise()), name);
        };
    }
}
