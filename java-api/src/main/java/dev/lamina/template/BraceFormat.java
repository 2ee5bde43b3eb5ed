package dev.lamina.template;

import java.util.List;
import java.util.Map;

/** Python's {@code str.format} for plain fields: {@code {}}, {@code {0}}, {@code {name}}, {@code !r}/{@code !s}. */
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
                String conversion = "s";
                int bang = field.indexOf('!');
                if (bang >= 0) {
                    conversion = field.substring(bang + 1);
                    field = field.substring(0, bang);
                }
                int colon = field.indexOf(':');
                if (colon >= 0) {
                    if (colon + 1 < field.length()) {
                        throw new EvalError("format specs are not supported: " + field);
                    }
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
                sb.append(conversion.startsWith("r") ? Values.repr(value) : Values.str(value));
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
