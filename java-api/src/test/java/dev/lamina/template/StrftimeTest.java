package dev.lamina.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** Week numbers, century and the locale formats, as Python's datetime.strftime prints them in the C locale. */
class StrftimeTest {
    private static final String WEEKS = "%U|%W|%G|%g|%V|%C|%-U|%-V";

    @Test
    void weekNumbersAroundYearBoundaries() {
        assertEquals("30|29|2026|26|30|20|30|30", Strftime.format(WEEKS, LocalDateTime.of(2026, 7, 26, 12, 0, 5)));
        // 1 Jan 2027 is a Friday: week 0 for %U and %W, ISO week 53 of 2026.
        assertEquals("00|00|2026|26|53|20|0|53", Strftime.format(WEEKS, LocalDateTime.of(2027, 1, 1, 9, 3)));
        // 30 Dec 2024 already belongs to ISO week 1 of 2025.
        assertEquals("52|53|2025|25|01|20|52|1", Strftime.format(WEEKS, LocalDateTime.of(2024, 12, 30, 23, 59)));
        assertEquals("01|00|2020|20|53|20|1|53", Strftime.format(WEEKS, LocalDateTime.of(2021, 1, 3, 0, 0)));
    }

    @Test
    void localeFormatsOfTheCLocale() {
        assertEquals("Sun Jul 26 12:00:05 2026|07/26/26|12:00:05",
                Strftime.format("%c|%x|%X", LocalDateTime.of(2026, 7, 26, 12, 0, 5)));
        assertEquals("Fri Jan  1 09:03:00 2027", Strftime.format("%c", LocalDateTime.of(2027, 1, 1, 9, 3)));
    }
}
