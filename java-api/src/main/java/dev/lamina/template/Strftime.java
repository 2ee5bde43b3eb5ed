package dev.lamina.template;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.time.temporal.IsoFields;
import java.util.Locale;

/** Python's {@code datetime.strftime} in the C locale (glibc's, so {@code %-d} works too). */
final class Strftime {
    private Strftime() {}

    static String format(String fmt, LocalDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                sb.append(c);
                continue;
            }
            char d = fmt.charAt(++i);
            boolean noPad = false;
            if ((d == '-') && i + 1 < fmt.length()) {
                noPad = true;
                d = fmt.charAt(++i);
            }
            String text = switch (d) {
                case 'd' -> pad(t.getDayOfMonth(), 2, noPad);
                case 'e' -> noPad ? Integer.toString(t.getDayOfMonth()) : String.format("%2d", t.getDayOfMonth());
                case 'm' -> pad(t.getMonthValue(), 2, noPad);
                case 'Y' -> Integer.toString(t.getYear());
                case 'y' -> pad(t.getYear() % 100, 2, noPad);
                case 'H' -> pad(t.getHour(), 2, noPad);
                case 'I' -> pad((t.getHour() + 11) % 12 + 1, 2, noPad);
                case 'M' -> pad(t.getMinute(), 2, noPad);
                case 'S' -> pad(t.getSecond(), 2, noPad);
                case 'f' -> String.format("%06d", t.getNano() / 1000);
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
                case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
                case 'j' -> pad(t.getDayOfYear(), 3, noPad);
                case 'F' -> String.format("%04d-%02d-%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth());
                case 'D' -> String.format("%02d/%02d/%02d", t.getMonthValue(), t.getDayOfMonth(), t.getYear() % 100);
                case 'T' -> String.format("%02d:%02d:%02d", t.getHour(), t.getMinute(), t.getSecond());
                case 'R' -> String.format("%02d:%02d", t.getHour(), t.getMinute());
                case 'U' -> pad(weekOfYear(t, t.getDayOfWeek().getValue() % 7), 2, noPad);
                case 'W' -> pad(weekOfYear(t, t.getDayOfWeek().getValue() - 1), 2, noPad);
                case 'G' -> Integer.toString(t.get(IsoFields.WEEK_BASED_YEAR));
                case 'g' -> pad(t.get(IsoFields.WEEK_BASED_YEAR) % 100, 2, noPad);
                case 'V' -> pad(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, noPad);
                case 'C' -> pad(t.getYear() / 100, 2, noPad);
                case 'c' -> format("%a %b %e %H:%M:%S %Y", t);
                case 'x' -> format("%m/%d/%y", t);
                case 'X' -> format("%H:%M:%S", t);
                case 'z', 'Z' -> "";
                case 'n' -> "\n";
                case 't' -> "\t";
                case '%' -> "%";
                default -> "%" + (noPad ? "-" : "") + d;
            };
            sb.append(text);
        }
        return sb.toString();
    }

    /**
     * Week of the year as C's %U and %W count it: days before the year's first week start
     * (Sunday for %U, Monday for %W) are week 0. {@code daysSinceWeekStart} is 0 on that day.
     */
    private static int weekOfYear(LocalDateTime t, int daysSinceWeekStart) {
        return (t.getDayOfYear() - 1 + 7 - daysSinceWeekStart) / 7;
    }

    private static String pad(int value, int width, boolean noPad) {
        String s = Integer.toString(value);
        return noPad || s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
