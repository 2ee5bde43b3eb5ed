package dev.lamina.template;

import java.util.List;
import java.util.Map;

/** Python's {@code "format" % args} for the common conversions (s, r, d, i, f, x, %). */
final class PercentFormat {
    private PercentFormat() {}

    static String format(String fmt, Object args) {
        List<?> positional = args instanceof PyTuple t ? t : java.util.Collections.singletonList(args);
        Map<?, ?> named = args instanceof Map<?, ?> m ? m : null;
        StringBuilder sb = new StringBuilder();
        int next = 0;
        int i = 0;
        while (i < fmt.length()) {
            char c = fmt.charAt(i++);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (i >= fmt.length()) {
                throw new EvalError("incomplete format");
            }
            Object value;
            if (fmt.charAt(i) == '(') {
                int close = fmt.indexOf(')', i);
                if (close < 0 || named == null) {
                    throw new EvalError("format requires a mapping");
                }
                String key = fmt.substring(i + 1, close);
                if (!named.containsKey(key)) {
                    throw new EvalError("KeyError: " + PyStrings.repr(key));
                }
                value = named.get(key);
                i = close + 1;
            } else {
                value = null;
            }
            int specStart = i;
            while (i < fmt.length() && "-+ #0123456789.".indexOf(fmt.charAt(i)) >= 0) {
                i++;
            }
            if (i >= fmt.length()) {
                throw new EvalError("incomplete format");
            }
            String flags = fmt.substring(specStart, i);
            char conv = fmt.charAt(i++);
            if (conv == '%') {
                sb.append('%');
                continue;
            }
            boolean keyed = fmt.charAt(specStart - 1) == ')';
            if (!keyed) {
                if (next >= positional.size()) {
                    throw new EvalError("not enough arguments for format string");
                }
                value = positional.get(next++);
            }
            String text = switch (conv) {
                case 's' -> Values.str(value);
                case 'r', 'a' -> Values.repr(value);
                case 'd', 'i', 'u' -> Values.isInt(value) ? Values.toBig(value).toString()
                        : Long.toString((long) Values.toDouble(value));
                case 'x' -> Values.toBig(value).toString(16);
                case 'X' -> Values.toBig(value).toString(16).toUpperCase(java.util.Locale.ROOT);
                case 'f', 'F', 'e', 'E', 'g', 'G' -> String.format(java.util.Locale.ROOT,
                        "%" + (flags.contains(".") ? flags : flags + ".6") + conv, Values.toDouble(value));
                default -> throw new EvalError("unsupported format character '" + conv + "'");
            };
            if ("fFeEgG".indexOf(conv) < 0 && !flags.isEmpty()) {
                String width = flags.replaceAll("[^0-9.]", "");
                int w = width.isEmpty() || width.startsWith(".") ? 0 : fieldWidth(width.split("\\.")[0]);
                boolean left = flags.contains("-");
                if (text.length() < w) {
                    String pad = (flags.contains("0") && !left && "di".indexOf(conv) >= 0 ? "0" : " ")
                            .repeat(w - text.length());
                    text = left ? text + pad : pad + text;
                }
            }
            sb.append(text);
        }
        if (named == null && next < positional.size() && !(positional.size() == 1 && args instanceof Map<?, ?>)) {
            throw new EvalError("not all arguments converted during string formatting");
        }
        return sb.toString();
    }

    private static int fieldWidth(String digits) {
        long width;
        try {
            width = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new EvalError("OverflowError: width too big");
        }
        RenderBudget.checkBuild(width);
        return (int) width;
    }
}
