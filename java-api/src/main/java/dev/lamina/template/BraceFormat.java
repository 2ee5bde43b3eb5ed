package dev.lamina.template;

import java.util.List;
import java.util.Map;

/**
 * Python's {@code str.format}: fields {@code {}}, {@code {0}}, {@code {name}}, with {@code !r}/{@code !s}
 * and a format spec ({@link FormatSpec}).
 */
final class BraceFormat {
    private BraceFormat() {}

    static String format(String fmt, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        int i = 0;
        while (i < fmt.length()) {
            char c = fmt.charAt(i);
            if (c == '{' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '{') {
                sb.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < fmt.length() && fmt.charAt(i + 1) == '}') {
                sb.append('}');
                i += 2;
            } else if (c == '{') {
                int close = fmt.indexOf('}', i);
                if (close < 0) {
                    throw new EvalError("Single '{' encountered in format string");
                }
                String field = fmt.substring(i + 1, close);
                String conversion = "";
                int bang = field.indexOf('!');
                int specStart = field.indexOf(':');
                if (bang >= 0 && (specStart < 0 || bang < specStart)) {
                    conversion = specStart < 0 ? field.substring(bang + 1) : field.substring(bang + 1, specStart);
                    field = field.substring(0, bang) + (specStart < 0 ? "" : field.substring(specStart));
                }
                String spec = "";
                int colon = field.indexOf(':');
                if (colon >= 0) {
                    spec = field.substring(colon + 1);
                    field = field.substring(0, colon);
                }
                Object value;
                if (field.isEmpty()) {
                    if (auto >= args.size()) {
                        throw new EvalError("Replacement index " + auto + " out of range for positional args tuple");
                    }
                    value = args.get(auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    int index = Integer.parseInt(field);
                    if (index >= args.size()) {
                        throw new EvalError("Replacement index " + index + " out of range for positional args tuple");
                    }
                    value = args.get(index);
                } else if (kwargs.containsKey(field)) {
                    value = kwargs.get(field);
                } else {
                    throw new EvalError("KeyError: " + PyStrings.repr(field));
                }
                if (conversion.startsWith("r")) {
                    value = Values.repr(value);
                } else if (conversion.startsWith("s")) {
                    value = Values.str(value);
                }
                sb.append(FormatSpec.apply(value, spec));
                i = close + 1;
            } else if (c == '}') {
                throw new EvalError("Single '}' encountered in format string");
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }
}
