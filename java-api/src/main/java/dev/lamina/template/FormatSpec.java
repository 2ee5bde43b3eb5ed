package dev.lamina.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Python's format-spec mini-language ({@code [[fill]align][sign][#][0][width][,_][.precision][type]})
 * for strings, ints and floats, as {@code str.format} applies it to one field.
 */
final class FormatSpec {
    private char fill = ' ';
    private char align;
    private char sign = '-';
    private boolean alternate;
    private int width;
    private char grouping;
    private int precision = -1;
    private char type;

    private FormatSpec() {}

    static String apply(Object value, String spec) {
        if (spec.isEmpty()) {
            return Values.str(value);
        }
        return parse(spec).format(value);
    }

    private static FormatSpec parse(String spec) {
        FormatSpec f = new FormatSpec();
        int i = 0;
        if (spec.length() >= 2 && "<>=^".indexOf(spec.charAt(1)) >= 0) {
            f.fill = spec.charAt(0);
            f.align = spec.charAt(1);
            i = 2;
        } else if ("<>=^".indexOf(spec.charAt(0)) >= 0) {
            f.align = spec.charAt(0);
            i = 1;
        }
        if (i < spec.length() && "+- ".indexOf(spec.charAt(i)) >= 0) {
            f.sign = spec.charAt(i++);
        }
        if (i < spec.length() && spec.charAt(i) == '#') {
            f.alternate = true;
            i++;
        }
        if (i < spec.length() && spec.charAt(i) == '0') {
            if (f.align == 0) {
                f.fill = '0';
                f.align = '=';
            }
            i++;
        }
        int start = i;
        while (i < spec.length() && Character.isDigit(spec.charAt(i))) {
            i++;
        }
        f.width = start == i ? 0 : number(spec.substring(start, i));
        if (i < spec.length() && (spec.charAt(i) == ',' || spec.charAt(i) == '_')) {
            f.grouping = spec.charAt(i++);
        }
        if (i < spec.length() && spec.charAt(i) == '.') {
            start = ++i;
            while (i < spec.length() && Character.isDigit(spec.charAt(i))) {
                i++;
            }
            if (start == i) {
                throw new EvalError("ValueError: Format specifier missing precision");
            }
            f.precision = number(spec.substring(start, i));
        }
        if (i < spec.length()) {
            f.type = spec.charAt(i++);
        }
        if (i < spec.length()) {
            throw new EvalError("ValueError: Invalid format specifier '" + spec + "'");
        }
        return f;
    }

    private static int number(String digits) {
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new EvalError("ValueError: Too many decimal digits in format string");
        }
        RenderBudget.checkBuild(n);
        return (int) n;
    }

    private String format(Object value) {
        if (value instanceof String s) {
            if (type != 0 && type != 's') {
                throw unknownCode(value);
            }
            if (sign != '-' || align == '=') {
                throw new EvalError("ValueError: Sign not allowed in string format specifier");
            }
            String text = precision >= 0 && precision < s.length() ? s.substring(0, precision) : s;
            return pad("", text, '<');
        }
        if (Values.isInt(value) && "dnxXobc".indexOf(type == 0 ? 'd' : type) >= 0) {
            return formatInt(Values.toBig(value));
        }
        if (Values.isNumber(value)) {
            if ("eEfFgG%".indexOf(type) < 0 && type != 0) {
                throw unknownCode(value);
            }
            return formatFloat(Values.toDouble(value));
        }
        throw new EvalError("TypeError: unsupported format string passed to " + Values.typeName(value)
                + ".__format__");
    }

    private EvalError unknownCode(Object value) {
        return new EvalError("ValueError: Unknown format code '" + type + "' for object of type '"
                + Values.typeName(value) + "'");
    }

    private String formatInt(BigInteger n) {
        if (precision >= 0) {
            throw new EvalError("ValueError: Precision not allowed in integer format specifier");
        }
        BigInteger abs = n.abs();
        String digits = switch (type) {
            case 'x' -> abs.toString(16);
            case 'X' -> abs.toString(16).toUpperCase(Locale.ROOT);
            case 'o' -> abs.toString(8);
            case 'b' -> abs.toString(2);
            case 'c' -> new String(Character.toChars(n.intValueExact()));
            default -> group(abs.toString());
        };
        String prefix = alternate ? switch (type) {
            case 'x' -> "0x";
            case 'X' -> "0X";
            case 'o' -> "0o";
            case 'b' -> "0b";
            default -> "";
        } : "";
        return pad(signOf(n.signum() < 0) + prefix, digits, '>');
    }

    private String formatFloat(double x) {
        boolean negative = x < 0 || (x == 0 && 1 / x < 0);
        double abs = Math.abs(x);
        String digits;
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            digits = Double.isNaN(x) ? "nan" : "inf";
            if (Character.isUpperCase(type)) {
                digits = digits.toUpperCase(Locale.ROOT);
            }
            negative = x < 0;
        } else {
            int p = precision < 0 ? 6 : precision;
            digits = switch (type) {
                case 'f', 'F' -> fixed(abs, p);
                case 'e', 'E' -> scientific(abs, p, type == 'E');
                case 'g', 'G' -> general(abs, p, type == 'G', alternate);
                case '%' -> fixed(abs * 100, p) + "%";
                case 0 -> precision < 0 ? Values.floatRepr(abs) : withPoint(general(abs, p, false, false));
                default -> throw unknownCode(x);
            };
        }
        int point = digits.indexOf('.');
        int end = point >= 0 ? point : digits.length();
        for (int i = 0; i < digits.length(); i++) {
            if (!Character.isDigit(digits.charAt(i))) {
                end = Math.min(end, i);
                break;
            }
        }
        digits = group(digits.substring(0, end)) + digits.substring(end);
        return pad(signOf(negative), digits, '>');
    }

    private static String fixed(double x, int p) {
        return new BigDecimal(x).setScale(p, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String scientific(double x, int p, boolean upper) {
        String s = String.format(Locale.ROOT, "%." + p + "e", x);
        return upper ? s.toUpperCase(Locale.ROOT) : s;
    }

    /** Python's 'g': fixed or scientific by the exponent, trailing zeros dropped unless '#'. */
    private static String general(double x, int p, boolean upper, boolean keepZeros) {
        if (p == 0) {
            p = 1;
        }
        if (x == 0) {
            return keepZeros ? "0." + "0".repeat(p - 1) : "0";
        }
        String sci = String.format(Locale.ROOT, "%." + (p - 1) + "e", x);
        int exp = Integer.parseInt(sci.substring(sci.indexOf('e') + 1));
        String s;
        if (exp >= -4 && exp < p) {
            s = fixed(x, p - 1 - exp);
            if (!keepZeros && s.indexOf('.') >= 0) {
                s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
            }
        } else {
            String mantissa = sci.substring(0, sci.indexOf('e'));
            if (!keepZeros && mantissa.indexOf('.') >= 0) {
                mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
            }
            s = mantissa + sci.substring(sci.indexOf('e'));
        }
        return upper ? s.toUpperCase(Locale.ROOT) : s;
    }

    /** Without a type, Python's float formatting keeps a decimal point ("1.0", not "1"). */
    private static String withPoint(String s) {
        return s.indexOf('.') >= 0 || s.indexOf('e') >= 0 || s.equals("inf") || s.equals("nan") ? s : s + ".0";
    }

    private String signOf(boolean negative) {
        return negative ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
    }

    private String group(String digits) {
        if (grouping == 0 || digits.length() <= 3) {
            return digits;
        }
        StringBuilder sb = new StringBuilder();
        int first = digits.length() % 3;
        sb.append(digits, 0, first);
        for (int i = first; i < digits.length(); i += 3) {
            if (sb.length() > 0) {
                sb.append(grouping);
            }
            sb.append(digits, i, i + 3);
        }
        return sb.toString();
    }

    private String pad(String signAndPrefix, String body, char defaultAlign) {
        int length = PyStrings.length(signAndPrefix) + PyStrings.length(body);
        if (length >= width) {
            return signAndPrefix + body;
        }
        String padding = String.valueOf(fill).repeat(width - length);
        return switch (align == 0 ? defaultAlign : align) {
            case '<' -> signAndPrefix + body + padding;
            case '^' -> {
                int left = (width - length) / 2;
                yield padding.substring(0, left) + signAndPrefix + body + padding.substring(left);
            }
            case '=' -> signAndPrefix + padding + body;
            default -> padding + signAndPrefix + body;
        };
    }
}
