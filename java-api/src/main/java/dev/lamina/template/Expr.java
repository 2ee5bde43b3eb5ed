package dev.lamina.template;

import java.util.List;

/** A parsed Jinja expression. Every node carries its template line and column for error messages. */
sealed interface Expr {
    int line();

    int column();

    record Const(Object value, int line, int column) implements Expr {}

    record Name(String name, int line, int column) implements Expr {}

    record ListLit(List<Expr> items, boolean tuple, int line, int column) implements Expr {}

    record DictLit(List<Expr> keys, List<Expr> values, int line, int column) implements Expr {}

    record GetAttr(Expr object, String name, int line, int column) implements Expr {}

    record GetItem(Expr object, Expr key, int line, int column) implements Expr {}

    /** {@code object[start:stop:step]}; absent parts are null. */
    record Slice(Expr object, Expr start, Expr stop, Expr step, int line, int column) implements Expr {}

    record Call(Expr callee, List<Expr> args, List<String> kwargNames, List<Expr> kwargValues, int line, int column)
            implements Expr {}

    record Filter(Expr value, String name, List<Expr> args, List<String> kwargNames, List<Expr> kwargValues,
            int line, int column) implements Expr {}

    record Test(Expr value, String name, List<Expr> args, boolean negated, int line, int column) implements Expr {}

    /** Arithmetic and {@code ~}: op is one of + - * / // % ** ~. */
    record Binary(String op, Expr left, Expr right, int line, int column) implements Expr {}

    record Negate(Expr operand, int line, int column) implements Expr {}

    record Plus(Expr operand, int line, int column) implements Expr {}

    record Not(Expr operand, int line, int column) implements Expr {}

    record And(Expr left, Expr right, int line, int column) implements Expr {}

    record Or(Expr left, Expr right, int line, int column) implements Expr {}

    /** A comparison chain {@code a < b <= c}; ops are == != < <= > >= in notin. */
    record Compare(Expr first, List<String> ops, List<Expr> rest, int line, int column) implements Expr {}

    /** {@code then if test else otherwise}; otherwise may be null (undefined). */
    record Conditional(Expr test, Expr then, Expr otherwise, int line, int column) implements Expr {}
}
