package dev.lamina.template;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates a parsed template for one render call; not shared between threads. */
final class Renderer {
    private enum Signal { NORMAL, BREAK, CONTINUE }

    private final Clock clock;
    private final RenderBudget budget;
    private final MarkupStrings markup = new MarkupStrings();

    Renderer(Clock clock, TemplateLimits limits) {
        this.clock = clock;
        this.budget = new RenderBudget(limits);
    }

    RenderBudget budget() {
        return budget;
    }

    MarkupStrings markup() {
        return markup;
    }

    Clock clock() {
        return clock;
    }

    String render(List<Node> nodes, Scope scope) {
        StringBuilder out = new StringBuilder();
        try (RenderBudget.Activation active = budget.activate()) {
            exec(nodes, scope, out);
        } catch (RenderBudget.Exceeded e) {
            throw limitError(e, 0, 0);
        } catch (StackOverflowError e) {
            // Nesting the depth limit allows can still exhaust a small thread stack.
            throw new TemplateException(TemplateException.Kind.LIMIT, "template nesting exhausted the thread's"
                    + " stack before its depth limit of " + budget.limits().maxDepth() + " (TemplateLimits.maxDepth;"
                    + " lower it with RenderOptions.Builder.maxDepth(...) or run on a thread with a larger stack)",
                    0, 0);
        } catch (OutOfMemoryError e) {
            // The size limits should stop a template long before this; a heap smaller than they
            // assume still must not take the process down.
            throw new TemplateException(TemplateException.Kind.LIMIT, "template ran out of memory (lower"
                    + " TemplateLimits.maxValueSize and maxOutputChars with RenderOptions.Builder, currently "
                    + budget.limits().maxValueSize() + " and " + budget.limits().maxOutputChars() + ")", 0, 0);
        }
        // A helper failing in a way it did not foresee must still reach the caller as a failed
        // render of this (untrusted) template, not as an arbitrary runtime exception.
        catch (TemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TemplateException(TemplateException.Kind.RENDER, "internal error while rendering: " + e, 0, 0);
        }
        return out.toString();
    }

    private static TemplateException limitError(RenderBudget.Exceeded e, int line, int column) {
        return new TemplateException(TemplateException.Kind.LIMIT, e.getMessage(), line, column);
    }

    /** Renders nodes into a fresh string (macro bodies, set blocks, filter blocks). */
    String capture(List<Node> nodes, Scope scope) {
        budget.enter();
        try {
            StringBuilder out = new StringBuilder();
            exec(nodes, scope, out);
            return out.toString();
        } finally {
            budget.exit();
        }
    }

    // ---- statements -----------------------------------------------------------------------

    private Signal exec(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node node : nodes) {
            Signal s = exec(node, scope, out);
            if (s != Signal.NORMAL) {
                return s;
            }
        }
        return Signal.NORMAL;
    }

    private TemplateException statementError(Node node, String construct, EvalError e) {
        return new TemplateException(TemplateException.Kind.RENDER, e.getMessage() + " (in " + construct + ")",
                node.line(), 0);
    }

    private Signal exec(Node node, Scope scope, StringBuilder out) {
        try {
            budget.tick();
            Signal signal = execUnchecked(node, scope, out);
            budget.checkOutput(out.length());
            return signal;
        } catch (RenderBudget.Exceeded e) {
            throw limitError(e, node.line(), 0);
        }
    }

    private Signal execUnchecked(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case Node.Text t -> out.append(t.text());
            case Node.Output o -> out.append(Values.str(eval(o.expr(), scope)));
            case Node.If f -> {
                for (int i = 0; i < f.conditions().size(); i++) {
                    if (Values.truthy(eval(f.conditions().get(i), scope))) {
                        return exec(f.bodies().get(i), scope, out);
                    }
                }
                return exec(f.otherwise(), scope, out);
            }
            case Node.For f -> {
                return execFor(f, scope, out);
            }
            case Node.Set s -> {
                Object value = eval(s.value(), scope);
                try {
                    assign(s.target(), value, scope);
                } catch (EvalError e) {
                    throw statementError(node, "set", e);
                }
            }
            case Node.SetBlock s -> {
                Object value = capture(s.body(), scope);
                for (Expr.Filter f : s.filters()) {
                    value = applyFilter(f, value, scope);
                }
                try {
                    assign(s.target(), value, scope);
                } catch (EvalError e) {
                    throw statementError(node, "set", e);
                }
            }
            case Node.MacroDef m -> scope.set(m.name(), new Macro(m, scope));
            case Node.CallBlock c -> {
                Expr.Call call = c.call();
                Object callee = eval(call.callee(), scope);
                List<Object> args = evalAll(call.args(), scope);
                Map<String, Object> kwargs = evalKwargs(call.kwargNames(), call.kwargValues(), scope);
                kwargs.put("caller", new Macro(c.caller(), scope));
                try {
                    out.append(Values.str(call(callee, args, kwargs)));
                } catch (EvalError e) {
                    throw statementError(node, "call block", e);
                }
            }
            case Node.FilterBlock f -> out.append(Values.str(applyFilter(f.filter(), capture(f.body(), scope), scope)));
            case Node.With w -> {
                Scope inner = new Scope(scope);
                for (int i = 0; i < w.targets().size(); i++) {
                    Object value = eval(w.values().get(i), scope);
                    try {
                        assign(w.targets().get(i), value, inner);
                    } catch (EvalError e) {
                        throw statementError(node, "with", e);
                    }
                }
                return exec(w.body(), inner, out);
            }
            case Node.Unsupported u -> throw new TemplateException(TemplateException.Kind.RENDER, u.message(),
                    u.line(), 0);
            case Node.Break b -> {
                return Signal.BREAK;
            }
            case Node.Continue c -> {
                return Signal.CONTINUE;
            }
        }
        return Signal.NORMAL;
    }

    private Signal execFor(Node.For f, Scope scope, StringBuilder out) {
        return loop(f, eval(f.iterable(), scope), scope, out, 0);
    }

    /** {@code loop(items)} in a recursive loop: the same loop, one level deeper, rendered to a string. */
    String recurse(Node.For f, Object iterable, Scope scope, int depth0) {
        budget.enter();
        try {
            StringBuilder out = new StringBuilder();
            loop(f, iterable, scope, out, depth0);
            return out.toString();
        } finally {
            budget.exit();
        }
    }

    private Signal loop(Node.For f, Object iterable, Scope scope, StringBuilder out, int depth0) {
        List<Object> items;
        try {
            items = Values.iterate(iterable);
            if (f.filter() != null) {
                List<Object> kept = new ArrayList<>();
                for (Object item : items) {
                    budget.tick();
                    Scope s = new Scope(scope);
                    assign(f.target(), item, s);
                    if (Values.truthy(eval(f.filter(), s))) {
                        kept.add(item);
                    }
                }
                items = kept;
            }
        } catch (EvalError e) {
            throw statementError(f, "for", e);
        }
        if (items.isEmpty()) {
            return exec(f.otherwise(), scope, out);
        }
        LoopInfo loop = new LoopInfo(items, depth0, f.recursive() ? f : null, scope);
        for (int i = 0; i < items.size(); i++) {
            // Each iteration gets a fresh frame: a {% set %} in the body neither leaks out of the
            // loop nor survives into the next iteration, exactly as in Jinja.
            budget.tick();
            Scope s = new Scope(scope);
            loop.index0 = i;
            try {
                assign(f.target(), items.get(i), s);
            } catch (EvalError e) {
                throw statementError(f, "for", e);
            }
            s.set("loop", loop);
            if (exec(f.body(), s, out) == Signal.BREAK) {
                break;
            }
        }
        return Signal.NORMAL;
    }

    private void assign(Node.Target target, Object value, Scope scope) {
        switch (target) {
            case Node.Target.Name n -> scope.set(n.name(), value);
            case Node.Target.Attr a -> {
                if (!(scope.lookup(a.object()) instanceof Namespace ns)) {
                    throw new EvalError("cannot assign attribute on non-namespace object");
                }
                ns.attrs.put(a.attr(), value);
            }
            case Node.Target.Tuple t -> {
                List<Object> values = Values.iterate(value);
                if (values.size() != t.items().size()) {
                    throw new EvalError(values.size() > t.items().size()
                            ? "too many values to unpack (expected " + t.items().size() + ")"
                            : "not enough values to unpack (expected " + t.items().size() + ", got "
                                    + values.size() + ")");
                }
                for (int i = 0; i < values.size(); i++) {
                    assign(t.items().get(i), values.get(i), scope);
                }
            }
        }
    }

    // ---- expressions ----------------------------------------------------------------------

    Object eval(Expr e, Scope scope) {
        try {
            budget.tick();
            return budget.checkValue(evalUnchecked(e, scope));
        } catch (RenderBudget.Exceeded err) {
            throw limitError(err, e.line(), e.column());
        } catch (EvalError err) {
            throw new TemplateException(TemplateException.Kind.RENDER,
                    err.getMessage() + " (in " + describe(e) + ")", e.line(), e.column());
        } catch (Globals.Raised r) {
            throw new TemplateException(TemplateException.Kind.RAISED, r.getMessage(), e.line(), e.column());
        }
    }

    private static String describe(Expr e) {
        return switch (e) {
            case Expr.Name n -> "'" + n.name() + "'";
            case Expr.GetAttr g -> "attribute '" + g.name() + "'";
            case Expr.GetItem g -> "subscript";
            case Expr.Slice s -> "slice";
            case Expr.Call c -> "call of " + (c.callee() instanceof Expr.Name n ? "'" + n.name() + "'"
                    : c.callee() instanceof Expr.GetAttr g ? "'" + g.name() + "'" : "an expression");
            case Expr.Filter f -> "filter '" + f.name() + "'";
            case Expr.Test t -> "test '" + t.name() + "'";
            case Expr.Binary b -> "'" + b.op() + "' operation";
            case Expr.Compare c -> "comparison '" + c.ops().get(0).replace("notin", "not in") + "'";
            case Expr.Negate n -> "unary '-'";
            default -> "expression";
        };
    }

    private Object evalUnchecked(Expr e, Scope scope) {
        return switch (e) {
            case Expr.Const c -> c.value();
            case Expr.Name n -> scope.lookup(n.name());
            case Expr.ListLit l -> {
                List<Object> items = new ArrayList<>(l.items().size());
                for (Expr item : l.items()) {
                    items.add(eval(item, scope));
                }
                yield l.tuple() ? new PyTuple(items) : items;
            }
            case Expr.DictLit d -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    map.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
                }
                yield map;
            }
            case Expr.GetAttr g -> Values.getAttr(eval(g.object(), scope), g.name());
            case Expr.GetItem g -> Values.getItem(eval(g.object(), scope), eval(g.key(), scope));
            case Expr.Slice s -> Values.slice(eval(s.object(), scope), evalOrNull(s.start(), scope),
                    evalOrNull(s.stop(), scope), evalOrNull(s.step(), scope));
            case Expr.Call c -> {
                Object callee = eval(c.callee(), scope);
                List<Object> args = evalAll(c.args(), scope);
                Map<String, Object> kwargs = evalKwargs(c.kwargNames(), c.kwargValues(), scope);
                yield call(callee, args, kwargs);
            }
            case Expr.Filter f -> applyFilter(f, eval(f.value(), scope), scope);
            case Expr.Test t -> {
                Object value = eval(t.value(), scope);
                boolean result = JinjaTests.apply(this, t.name(), value, evalAll(t.args(), scope));
                yield result != t.negated();
            }
            case Expr.Binary b -> {
                Object left = eval(b.left(), scope);
                Object right = eval(b.right(), scope);
                yield switch (b.op()) {
                    case "+" -> {
                        String marked = markup.add(left, right);
                        yield marked != null ? marked : Values.add(left, right);
                    }
                    case "-" -> Values.sub(left, right);
                    case "*" -> Values.mul(left, right);
                    case "/" -> Values.div(left, right);
                    case "//" -> Values.floordiv(left, right);
                    case "%" -> markup.isMarkup(left) ? markup.percentFormat((String) left, right)
                            : Values.mod(left, right);
                    case "**" -> Values.pow(left, right);
                    case "~" -> Values.concat(left, right);
                    default -> throw new EvalError("unknown operator " + b.op());
                };
            }
            case Expr.Negate n -> Values.negate(eval(n.operand(), scope));
            case Expr.Plus p -> {
                Object v = eval(p.operand(), scope);
                if (!Values.isNumber(v)) {
                    throw new EvalError("bad operand type for unary +: '" + Values.typeName(v) + "'");
                }
                yield v instanceof Boolean b ? (Object) (b ? 1L : 0L) : v;
            }
            case Expr.Not n -> !Values.truthy(eval(n.operand(), scope));
            case Expr.And a -> {
                Object left = eval(a.left(), scope);
                yield Values.truthy(left) ? eval(a.right(), scope) : left;
            }
            case Expr.Or o -> {
                Object left = eval(o.left(), scope);
                yield Values.truthy(left) ? left : eval(o.right(), scope);
            }
            case Expr.Compare c -> {
                Object left = eval(c.first(), scope);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.rest().get(i), scope);
                    if (!compare(c.ops().get(i), left, right)) {
                        yield false;
                    }
                    left = right;
                }
                yield true;
            }
            case Expr.Conditional c -> {
                if (Values.truthy(eval(c.test(), scope))) {
                    yield eval(c.then(), scope);
                }
                yield c.otherwise() == null
                        ? new Undefined("the inline if-expression on line " + c.line()
                                + " evaluated to false and no else section was defined.")
                        : eval(c.otherwise(), scope);
            }
        };
    }

    private static boolean compare(String op, Object left, Object right) {
        return switch (op) {
            case "==" -> Values.eq(left, right);
            case "!=" -> !Values.eq(left, right);
            case "<" -> Values.compare(left, right, op) < 0;
            case "<=" -> Values.compare(left, right, op) <= 0;
            case ">" -> Values.compare(left, right, op) > 0;
            case ">=" -> Values.compare(left, right, op) >= 0;
            case "in" -> Values.contains(right, left);
            case "notin" -> !Values.contains(right, left);
            default -> throw new EvalError("unknown comparison " + op);
        };
    }

    private Object evalOrNull(Expr e, Scope scope) {
        if (e == null) {
            return null;
        }
        Object v = eval(e, scope);
        if (v instanceof Undefined u) {
            throw u.fail();
        }
        return v;
    }

    private List<Object> evalAll(List<Expr> exprs, Scope scope) {
        List<Object> out = new ArrayList<>(exprs.size());
        for (Expr x : exprs) {
            out.add(eval(x, scope));
        }
        return out;
    }

    private Map<String, Object> evalKwargs(List<String> names, List<Expr> values, Scope scope) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), eval(values.get(i), scope));
        }
        return out;
    }

    Object call(Object callee, List<Object> args, Map<String, Object> kwargs) {
        budget.tick();
        if (callee instanceof Undefined u) {
            throw u.fail();
        }
        if (callee instanceof JinjaCallable f) {
            return f.call(this, args, kwargs);
        }
        throw new EvalError("'" + Values.typeName(callee) + "' object is not callable");
    }

    private Object applyFilter(Expr.Filter f, Object value, Scope scope) {
        List<Object> args = evalAll(f.args(), scope);
        Map<String, Object> kwargs = evalKwargs(f.kwargNames(), f.kwargValues(), scope);
        try {
            return Filters.apply(this, f.name(), value, new Args(f.name(), args, kwargs));
        } catch (EvalError err) {
            throw new TemplateException(TemplateException.Kind.RENDER,
                    err.getMessage() + " (in filter '" + f.name() + "')", f.line(), f.column());
        }
    }
}
