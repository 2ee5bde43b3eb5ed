package dev.lamina.template;

import dev.lamina.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser from tokens to {@link Node}s, following Jinja's grammar and precedence. */
final class Parser {
    /**
     * Deepest nesting of blocks and sub-expressions accepted. Real templates nest a few levels
     * (Python's jinja2 itself gives up before 100); a hostile one nesting thousands would exhaust
     * the parser's (and later the renderer's) stack.
     */
    static final int MAX_NESTING = 100;

    private final List<Token> tokens;
    private int at;
    private int nesting;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Node> body = p.body(Set.of());
        if (p.peek().kind() != Kind.EOF) {
            Token t = p.peek();
            throw p.error("unexpected '" + t.text() + "'", t);
        }
        UnknownNames.check(body);
        return body;
    }

    // ---- token helpers --------------------------------------------------------------------

    private Token peek() {
        return tokens.get(at);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(at + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(at);
        if (t.kind() != Kind.EOF) {
            at++;
        }
        return t;
    }

    private TemplateException error(String message, Token t) {
        return new TemplateException(TemplateException.Kind.SYNTAX, message, t.line(), t.column());
    }

    private boolean acceptOp(String op) {
        if (peek().isOp(op)) {
            at++;
            return true;
        }
        return false;
    }

    private boolean acceptName(String name) {
        if (peek().isName(name)) {
            at++;
            return true;
        }
        return false;
    }

    private Token expectOp(String op) {
        Token t = peek();
        if (!t.isOp(op)) {
            throw error("expected '" + op + "', got " + t.describe(), t);
        }
        return next();
    }

    private Token expect(Kind kind, String what) {
        Token t = peek();
        if (t.kind() != kind) {
            throw error("expected " + what + ", got " + t.describe(), t);
        }
        return next();
    }

    private void expectBlockEnd() {
        expect(Kind.BLOCK_END, "end of statement block");
    }

    // ---- statements -----------------------------------------------------------------------

    /** Parses until a block tag whose name is in {@code endTags}; leaves the stream at that name. */
    private List<Node> body(Set<String> endTags) {
        enter(peek());
        try {
            return bodyNodes(endTags);
        } finally {
            nesting--;
        }
    }

    private void enter(Token t) {
        if (++nesting > MAX_NESTING) {
            throw error("template nests blocks or expressions deeper than " + MAX_NESTING + " levels", t);
        }
    }

    private List<Node> bodyNodes(Set<String> endTags) {
        List<Node> nodes = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!endTags.isEmpty()) {
                        throw error("unexpected end of template; expected one of "
                                + String.join(", ", new java.util.TreeSet<>(endTags)), t);
                    }
                    return nodes;
                }
                case DATA -> {
                    next();
                    nodes.add(new Node.Text(t.text(), t.line()));
                }
                case VAR_BEGIN -> {
                    next();
                    Expr e = tuple(true);
                    expect(Kind.VAR_END, "end of print statement");
                    nodes.add(new Node.Output(e, t.line()));
                }
                case BLOCK_BEGIN -> {
                    Token name = peek(1);
                    if (name.kind() == Kind.NAME && endTags.contains(name.text())) {
                        next();
                        return nodes;
                    }
                    next();
                    Node n = statement();
                    if (n != null) {
                        nodes.add(n);
                    }
                }
                default -> throw error("unexpected " + t.describe(), t);
            }
        }
    }

    private Node statement() {
        Token t = expect(Kind.NAME, "a statement name");
        return switch (t.text()) {
            case "if" -> ifStatement(t);
            case "for" -> forStatement(t);
            case "set" -> setStatement(t);
            case "macro" -> macroStatement(t);
            case "call" -> callStatement(t);
            case "filter" -> filterStatement(t);
            case "with" -> withStatement(t);
            case "break" -> {
                expectBlockEnd();
                yield new Node.Break(t.line());
            }
            case "continue" -> {
                expectBlockEnd();
                yield new Node.Continue(t.line());
            }
            case "generation" -> {
                // Hugging Face's AssistantTracker marks assistant text here; rendering is unchanged.
                expectBlockEnd();
                List<Node> body = body(Set.of("endgeneration"));
                closeBlock("endgeneration");
                yield new Node.If(List.of(new Expr.Const(true, t.line(), t.column())), List.of(body), List.of(),
                        t.line());
            }
            case "include", "import", "from", "extends" -> {
                // Jinja parses these and fails only when one runs: a chat template has no loader
                // to fetch other templates from, but may name one in a branch it never takes.
                while (peek().kind() != Kind.BLOCK_END && peek().kind() != Kind.EOF) {
                    next();
                }
                expectBlockEnd();
                yield new Node.Unsupported("no loader for this environment specified ('" + t.text()
                        + "' needs other templates, and a chat template has none)", t.line());
            }
            default -> throw error("unknown or unsupported tag '" + t.text() + "'", t);
        };
    }

    /** Consumes {@code name %}} of a closing tag whose BLOCK_BEGIN was already consumed. */
    private void closeBlock(String name) {
        Token t = expect(Kind.NAME, "'" + name + "'");
        if (!t.text().equals(name)) {
            throw error("expected '" + name + "', got '" + t.text() + "'", t);
        }
        expectBlockEnd();
    }

    private Node ifStatement(Token start) {
        List<Expr> conditions = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        conditions.add(tuple(false));
        expectBlockEnd();
        while (true) {
            bodies.add(body(Set.of("elif", "else", "endif")));
            Token t = next();
            switch (t.text()) {
                case "elif" -> {
                    conditions.add(tuple(false));
                    expectBlockEnd();
                }
                case "else" -> {
                    expectBlockEnd();
                    List<Node> otherwise = body(Set.of("endif"));
                    closeBlock("endif");
                    return new Node.If(conditions, bodies, otherwise, start.line());
                }
                default -> {
                    expectBlockEnd();
                    return new Node.If(conditions, bodies, List.of(), start.line());
                }
            }
        }
    }

    private Node forStatement(Token start) {
        Node.Target target = assignTarget(false);
        if (!acceptName("in")) {
            throw error("expected 'in' in for loop, got " + peek().describe(), peek());
        }
        Expr iterable = tupleUntil(false, Set.of("if", "recursive"));
        Expr filter = null;
        if (acceptName("if")) {
            filter = expression(true);
        }
        boolean recursive = acceptName("recursive");
        expectBlockEnd();
        List<Node> body = body(Set.of("endfor", "else"));
        List<Node> otherwise = List.of();
        if (next().text().equals("else")) {
            expectBlockEnd();
            otherwise = body(Set.of("endfor"));
            closeBlock("endfor");
        } else {
            expectBlockEnd();
        }
        return new Node.For(target, iterable, filter, recursive, body, otherwise, start.line());
    }

    private Node setStatement(Token start) {
        Node.Target target = assignTarget(true);
        if (acceptOp("=")) {
            Expr value = tuple(true);
            expectBlockEnd();
            return new Node.Set(target, value, start.line());
        }
        List<Expr.Filter> filters = new ArrayList<>();
        while (peek().isOp("|")) {
            filters.add(filterAfterPipe(new Expr.Const(null, start.line(), start.column())));
        }
        expectBlockEnd();
        List<Node> body = body(Set.of("endset"));
        closeBlock("endset");
        return new Node.SetBlock(target, body, filters, start.line());
    }

    private Node macroStatement(Token start) {
        String name = expect(Kind.NAME, "macro name").text();
        expectOp("(");
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        parameters(params, defaults);
        expectBlockEnd();
        List<Node> body = body(Set.of("endmacro"));
        closeBlock("endmacro");
        return new Node.MacroDef(name, params, defaults, body, start.line());
    }

    /** {@code {% call [(params)] macro(args) %}body{% endcall %}}: the body becomes the macro's {@code caller}. */
    private Node callStatement(Token start) {
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (acceptOp("(")) {
            parameters(params, defaults);
        }
        Token at = peek();
        if (!(tuple(true) instanceof Expr.Call call)) {
            throw error("expected a call after 'call'", at);
        }
        expectBlockEnd();
        List<Node> body = body(Set.of("endcall"));
        closeBlock("endcall");
        return new Node.CallBlock(new Node.MacroDef("caller", params, defaults, body, start.line()), call,
                start.line());
    }

    /** Macro parameters after the opening parenthesis, through the closing one. */
    private void parameters(List<String> params, List<Expr> defaults) {
        while (!acceptOp(")")) {
            if (!params.isEmpty()) {
                expectOp(",");
                if (acceptOp(")")) {
                    break;
                }
            }
            params.add(expect(Kind.NAME, "parameter name").text());
            if (acceptOp("=")) {
                defaults.add(expression(true));
            } else if (!defaults.isEmpty()) {
                throw error("non-default argument follows default argument", peek());
            }
        }
    }

    private Node filterStatement(Token start) {
        Expr.Filter filter = filterCall(new Expr.Const(null, start.line(), start.column()));
        expectBlockEnd();
        List<Node> body = body(Set.of("endfilter"));
        closeBlock("endfilter");
        return new Node.FilterBlock(filter, body, start.line());
    }

    private Node withStatement(Token start) {
        List<Node.Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (peek().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expectOp(",");
            }
            targets.add(assignTarget(false));
            expectOp("=");
            values.add(expression(true));
        }
        expectBlockEnd();
        List<Node> body = body(Set.of("endwith"));
        closeBlock("endwith");
        return new Node.With(targets, values, body, start.line());
    }

    private Node.Target assignTarget(boolean allowNamespace) {
        List<Node.Target> items = new ArrayList<>();
        boolean parenthesized = acceptOp("(");
        do {
            Token name = expect(Kind.NAME, "a variable name");
            if (allowNamespace && acceptOp(".")) {
                String attr = expect(Kind.NAME, "an attribute name").text();
                items.add(new Node.Target.Attr(name.text(), attr));
            } else {
                items.add(new Node.Target.Name(name.text()));
            }
        } while (acceptOp(",") && peek().kind() == Kind.NAME);
        if (parenthesized) {
            expectOp(")");
        }
        if (items.size() == 1 && !parenthesized) {
            return items.get(0);
        }
        return new Node.Target.Tuple(items);
    }

    // ---- expressions ----------------------------------------------------------------------

    private Expr tuple(boolean withCondExpr) {
        return tupleUntil(withCondExpr, Set.of());
    }

    /** A single expression, or a tuple when commas separate several. */
    private Expr tupleUntil(boolean withCondExpr, Set<String> endNames) {
        Token start = peek();
        List<Expr> items = new ArrayList<>();
        boolean comma = false;
        while (true) {
            if (!items.isEmpty()) {
                if (!acceptOp(",")) {
                    break;
                }
                comma = true;
            }
            Token t = peek();
            if (t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.isOp(")")
                    || (t.kind() == Kind.NAME && endNames.contains(t.text()))) {
                if (items.isEmpty()) {
                    throw error("expected an expression, got " + t.describe(), t);
                }
                break;
            }
            items.add(expression(withCondExpr));
        }
        if (items.size() == 1 && !comma) {
            return items.get(0);
        }
        return new Expr.ListLit(items, true, start.line(), start.column());
    }

    private Expr expression(boolean withCondExpr) {
        return withCondExpr ? conditional() : or();
    }

    private Expr conditional() {
        Expr expr = or();
        while (peek().isName("if")) {
            Token t = next();
            Expr test = or();
            Expr otherwise = acceptName("else") ? conditional() : null;
            expr = new Expr.Conditional(test, expr, otherwise, t.line(), t.column());
        }
        return expr;
    }

    private Expr or() {
        Expr left = and();
        while (peek().isName("or")) {
            Token t = next();
            left = new Expr.Or(left, and(), t.line(), t.column());
        }
        return left;
    }

    private Expr and() {
        Expr left = not();
        while (peek().isName("and")) {
            Token t = next();
            left = new Expr.And(left, not(), t.line(), t.column());
        }
        return left;
    }

    private Expr not() {
        if (peek().isName("not")) {
            Token t = next();
            return new Expr.Not(not(), t.line(), t.column());
        }
        return compare();
    }

    private Expr compare() {
        Token start = peek();
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            String op;
            if (t.kind() == Kind.OPERATOR && Set.of("==", "!=", "<", "<=", ">", ">=").contains(t.text())) {
                op = t.text();
                next();
            } else if (t.isName("in")) {
                op = "in";
                next();
            } else if (t.isName("not") && peek(1).isName("in")) {
                op = "notin";
                next();
                next();
            } else {
                break;
            }
            ops.add(op);
            rest.add(math1());
        }
        if (ops.isEmpty()) {
            return first;
        }
        return new Expr.Compare(first, ops, rest, start.line(), start.column());
    }

    private Expr math1() {
        Expr left = concat();
        while (peek().isOp("+") || peek().isOp("-")) {
            Token t = next();
            left = new Expr.Binary(t.text(), left, concat(), t.line(), t.column());
        }
        return left;
    }

    private Expr concat() {
        Expr left = math2();
        while (peek().isOp("~")) {
            Token t = next();
            left = new Expr.Binary("~", left, math2(), t.line(), t.column());
        }
        return left;
    }

    private Expr math2() {
        Expr left = pow();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            Token t = next();
            left = new Expr.Binary(t.text(), left, pow(), t.line(), t.column());
        }
        return left;
    }

    private Expr pow() {
        Expr left = unary(true);
        while (peek().isOp("**")) {
            Token t = next();
            left = new Expr.Binary("**", left, unary(true), t.line(), t.column());
        }
        return left;
    }

    private Expr unary(boolean withFilter) {
        Token t = peek();
        enter(t);
        try {
            return unaryNested(t, withFilter);
        } finally {
            nesting--;
        }
    }

    private Expr unaryNested(Token t, boolean withFilter) {
        Expr node;
        if (t.isOp("-")) {
            next();
            node = new Expr.Negate(unary(false), t.line(), t.column());
        } else if (t.isOp("+")) {
            next();
            node = new Expr.Plus(unary(false), t.line(), t.column());
        } else {
            node = postfix(primary());
        }
        return withFilter ? filterExpr(node) : node;
    }

    private Expr primary() {
        Token t = next();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Const(true, t.line(), t.column());
                    case "false", "False" -> new Expr.Const(false, t.line(), t.column());
                    case "none", "None" -> new Expr.Const(null, t.line(), t.column());
                    default -> new Expr.Name(t.text(), t.line(), t.column());
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.text());
                while (peek().kind() == Kind.STRING) {
                    sb.append(next().text());
                }
                return new Expr.Const(sb.toString(), t.line(), t.column());
            }
            case INTEGER -> {
                java.math.BigInteger big = new java.math.BigInteger(t.text());
                return new Expr.Const(Values.intResult(big), t.line(), t.column());
            }
            case FLOAT -> {
                return new Expr.Const(Double.parseDouble(t.text()), t.line(), t.column());
            }
            case OPERATOR -> {
                switch (t.text()) {
                    case "(" -> {
                        if (acceptOp(")")) {
                            return new Expr.ListLit(List.of(), true, t.line(), t.column());
                        }
                        Expr e = tuple(true);
                        expectOp(")");
                        return e;
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!acceptOp("]")) {
                            if (!items.isEmpty()) {
                                expectOp(",");
                                if (acceptOp("]")) {
                                    break;
                                }
                            }
                            items.add(expression(true));
                        }
                        return new Expr.ListLit(items, false, t.line(), t.column());
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!acceptOp("}")) {
                            if (!keys.isEmpty()) {
                                expectOp(",");
                                if (acceptOp("}")) {
                                    break;
                                }
                            }
                            keys.add(expression(true));
                            expectOp(":");
                            values.add(expression(true));
                        }
                        return new Expr.DictLit(keys, values, t.line(), t.column());
                    }
                    default -> {}
                }
            }
            default -> {}
        }
        throw error("unexpected " + t.describe(), t);
    }

    private Expr postfix(Expr node) {
        while (true) {
            Token t = peek();
            if (t.isOp(".")) {
                next();
                Token name = next();
                if (name.kind() == Kind.NAME) {
                    node = new Expr.GetAttr(node, name.text(), t.line(), t.column());
                } else if (name.kind() == Kind.INTEGER) {
                    node = new Expr.GetItem(node, new Expr.Const(Long.parseLong(name.text()), name.line(),
                            name.column()), t.line(), t.column());
                } else {
                    throw error("expected name or number after '.'", name);
                }
            } else if (t.isOp("[")) {
                next();
                node = subscript(node, t);
            } else if (t.isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    private Expr subscript(Expr node, Token open) {
        Expr[] parts = new Expr[3];
        int part = 0;
        boolean isSlice = false;
        while (!peek().isOp("]")) {
            if (peek().isOp(":")) {
                next();
                isSlice = true;
                part++;
                if (part > 2) {
                    throw error("too many ':' in slice", open);
                }
                continue;
            }
            if (parts[part] != null) {
                throw error("expected ']' or ':'", peek());
            }
            parts[part] = expression(true);
        }
        next();
        if (!isSlice) {
            if (parts[0] == null) {
                throw error("expected subscript expression", open);
            }
            return new Expr.GetItem(node, parts[0], open.line(), open.column());
        }
        return new Expr.Slice(node, parts[0], parts[1], parts[2], open.line(), open.column());
    }

    private Expr.Call call(Expr callee) {
        Token open = expectOp("(");
        List<Expr> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        callArgs(args, names, values);
        return new Expr.Call(callee, args, names, values, open.line(), open.column());
    }

    /** Parses {@code a, b, name=c)} after an opening parenthesis. */
    private void callArgs(List<Expr> args, List<String> names, List<Expr> values) {
        boolean first = true;
        while (!acceptOp(")")) {
            if (!first) {
                expectOp(",");
                if (acceptOp(")")) {
                    return;
                }
            }
            first = false;
            if (peek().isOp("*") || peek().isOp("**")) {
                throw error("*args and **kwargs in calls are not supported", peek());
            }
            if (peek().kind() == Kind.NAME && peek(1).isOp("=")) {
                names.add(next().text());
                next();
                values.add(expression(true));
            } else {
                if (!names.isEmpty()) {
                    throw error("positional argument follows keyword argument", peek());
                }
                args.add(expression(true));
            }
        }
    }

    private Expr filterExpr(Expr node) {
        while (true) {
            if (peek().isOp("|")) {
                node = filterAfterPipe(node);
            } else if (peek().isName("is")) {
                node = test(node);
            } else if (peek().isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    private Expr.Filter filterAfterPipe(Expr node) {
        expectOp("|");
        return filterCall(node);
    }

    private Expr.Filter filterCall(Expr node) {
        Token name = expect(Kind.NAME, "filter name");
        StringBuilder full = new StringBuilder(name.text());
        while (peek().isOp(".")) {
            next();
            full.append('.').append(expect(Kind.NAME, "filter name").text());
        }
        List<Expr> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        if (acceptOp("(")) {
            callArgs(args, names, values);
        }
        return new Expr.Filter(node, full.toString(), args, names, values, name.line(), name.column());
    }

    private Expr test(Expr node) {
        Token is = next();
        boolean negated = acceptName("not");
        Token name = expect(Kind.NAME, "test name");
        List<Expr> args = new ArrayList<>();
        Token t = peek();
        if (t.isOp("(")) {
            next();
            List<String> names = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            callArgs(args, names, values);
            args.addAll(values);
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER
                || t.kind() == Kind.FLOAT || t.isOp("(") || t.isOp("[") || t.isOp("{"))
                && !(t.isName("else") || t.isName("or") || t.isName("and"))) {
            if (t.isName("is")) {
                throw error("You cannot chain multiple tests with is", t);
            }
            args.add(postfix(primary()));
        }
        return new Expr.Test(node, name.text(), args, negated, is.line(), is.column());
    }
}
