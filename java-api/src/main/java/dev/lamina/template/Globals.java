package dev.lamina.template;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The global functions Hugging Face's chat template environment provides. */
final class Globals {
    private Globals() {}

    /** {@code raise_exception(message)}: carries the template's own message out of the renderer. */
    static final class Raised extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Raised(String message) {
            super(message, null, false, false);
        }
    }

    /** Jinja's sandbox caps {@code range()} at this many items. */
    private static final long MAX_RANGE = 100_000;

    static Map<String, Object> all() {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("range", (JinjaCallable) (r, args, kw) -> range(args));
        g.put("namespace", (JinjaCallable) (r, args, kw) -> namespace(args, kw));
        g.put("dict", (JinjaCallable) (r, args, kw) -> {
            Map<Object, Object> d = new LinkedHashMap<>();
            if (!args.isEmpty()) {
                d.putAll(toMap(args.get(0)));
            }
            d.putAll(kw);
            return d;
        });
        g.put("raise_exception", (JinjaCallable) (r, args, kw) -> {
            throw new Raised(args.isEmpty() ? "" : Values.str(args.get(0)));
        });
        g.put("strftime_now", (JinjaCallable) (r, args, kw) -> {
            Object format = new Args("strftime_now", args, kw).required(0, "format");
            if (!(format instanceof String f)) {
                throw new EvalError("strftime() argument 1 must be str, not " + Values.typeName(format));
            }
            return Strftime.format(f, LocalDateTime.now(r.clock()));
        });
        g.put("joiner", (JinjaCallable) (r, args, kw) -> {
            String sep = Values.str(new Args("joiner", args, kw).get(0, "sep", ", "));
            boolean[] used = {false};
            return (JinjaCallable) (r2, a2, k2) -> {
                if (used[0]) {
                    return sep;
                }
                used[0] = true;
                return "";
            };
        });
        return g;
    }

    private static Map<?, ?> toMap(Object v) {
        if (v instanceof Map<?, ?> m) {
            return m;
        }
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Object pair : Values.iterate(v)) {
            List<Object> kv = Values.iterate(pair);
            if (kv.size() != 2) {
                throw new EvalError("dictionary update sequence element has length " + kv.size() + "; 2 is required");
            }
            out.put(kv.get(0), kv.get(1));
        }
        return out;
    }

    private static Object namespace(List<Object> args, Map<String, Object> kw) {
        Namespace ns = new Namespace();
        for (Object a : args) {
            toMap(a).forEach((k, v) -> ns.attrs.put(Values.str(k), v));
        }
        ns.attrs.putAll(kw);
        return ns;
    }

    private static Object range(List<Object> args) {
        long start = 0;
        long stop;
        long step = 1;
        switch (args.size()) {
            case 1 -> stop = Values.toLong(args.get(0));
            case 2, 3 -> {
                start = Values.toLong(args.get(0));
                stop = Values.toLong(args.get(1));
                if (args.size() == 3) {
                    step = Values.toLong(args.get(2));
                }
            }
            default -> throw new EvalError("range expected 1 to 3 arguments, got " + args.size());
        }
        if (step == 0) {
            throw new EvalError("range() arg 3 must not be zero");
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (out.size() >= MAX_RANGE) {
                throw new EvalError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (" + MAX_RANGE + ").");
            }
            out.add(i);
        }
        return out;
    }
}
