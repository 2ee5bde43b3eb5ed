package dev.lamina.template;

import static dev.lamina.template.Templates.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code str.format} with format specs; every expected string is what jinja2 3.1 (Python 3) renders. */
class FormatSpecTest {

    @Test
    void alignmentSignWidthGroupingPrecisionAndTypes() {
        assertEquals("   ab", render("{{ '{:>5}'.format('ab') }}"));
        assertEquals("ab   |", render("{{ '{:<5}|'.format('ab') }}"));
        assertEquals("  ab  |", render("{{ '{:^6}|'.format('ab') }}"));
        assertEquals("  ab   |", render("{{ '{:^7}|'.format('ab') }}"));
        assertEquals("***mid***", render("{{ '{:*^9}'.format('mid') }}"));
        assertEquals("3.14", render("{{ '{:.2f}'.format(3.14159) }}"));
        assertEquals("2.67", render("{{ '{:.2f}'.format(2.675) }}"));
        assertEquals("    x     |", render("{{ '{0:^10}|'.format('x') }}"));
        assertEquals("     bob|", render("{{ '{name:>8}|'.format(name='bob') }}"));
        assertEquals("00042", render("{{ '{:05d}'.format(42) }}"));
        assertEquals("+5  5 -5", render("{{ '{:+d} {: d} {:d}'.format(5, 5, -5) }}"));
        assertEquals("1,234,567", render("{{ '{:,}'.format(1234567) }}"));
        assertEquals("1_234_567", render("{{ '{:_}'.format(1234567) }}"));
        assertEquals("1,234,567.89", render("{{ '{:,.2f}'.format(1234567.891) }}"));
        assertEquals("ff FF 0xff 10 0b101", render("{{ '{:x} {:X} {:#x} {:o} {:#b}'.format(255, 255, 255, 8, 5) }}"));
        assertEquals("1.234568e+04", render("{{ '{:e}'.format(12345.678) }}"));
        assertEquals("1.230E-04", render("{{ '{:.3E}'.format(0.000123) }}"));
        assertEquals("0.0001 1.23457e+08 1.5 100", render("{{ '{:g} {:g} {:g} {:g}'.format(0.0001, 123456789.0, 1.5, 100.0) }}"));
        assertEquals("3.14", render("{{ '{:.3g}'.format(3.14159) }}"));
        assertEquals("25.000000%", render("{{ '{:%}'.format(0.25) }}"));
        assertEquals("25.6%", render("{{ '{:.1%}'.format(0.256) }}"));
        assertEquals("    -3.500|", render("{{ '{:10.3f}|'.format(-3.5) }}"));
        assertEquals("-00003.500", render("{{ '{:010.3f}'.format(-3.5) }}"));
        assertEquals("+     42", render("{{ '{:=+8d}'.format(42) }}"));
        assertEquals("1.0", render("{{ '{}'.format(1.0) }}"));
        assertEquals("1.0", render("{{ '{:.2}'.format(1.0) }}"));
        assertEquals("1.2e+03", render("{{ '{:.2}'.format(1234.5) }}"));
        assertEquals("   42|", render("{{ '{:5}|'.format(42) }}"));
        assertEquals("  1.5|", render("{{ '{:5}|'.format(1.5) }}"));
        assertEquals("abc", render("{{ '{:.3}'.format('abcdef') }}"));
        assertEquals("     'a'", render("{{ '{!r:>8}'.format('a') }}"));
        assertEquals("3.000000", render("{{ '{:f}'.format(3) }}"));
        assertEquals("     1", render("{{ '{:>6}'.format(true) }}"));
        assertEquals("A", render("{{ '{:c}'.format(65) }}"));
        assertEquals("00003.14", render("{{ '{:08.2f}'.format(3.14159) }}"));
        assertEquals("00007", render("{{ '{:0>5}'.format(7) }}"));
        assertEquals("0o10", render("{{ '{:#o}'.format(8) }}"));
    }

    @Test
    void specsAPythonValueRejectsAreErrors() {
        for (String bad : List.of("{{ '{:d}'.format(1.5) }}", "{{ '{:s}'.format(3) }}", "{{ '{:>4}'.format(none) }}",
                "{{ '{:.2d}'.format(3) }}", "{{ '{:+s}'.format('a') }}")) {
            TemplateException e = assertThrows(TemplateException.class, () -> render(bad), bad);
            assertTrue(e.reason().contains("Error:"), e.getMessage());
        }
    }

    @Test
    void aHugeWidthIsALimitErrorNotAnAllocation() {
        TemplateException e = assertThrows(TemplateException.class, () -> render("{{ '{:>999999999999}'.format(1) }}"));
        assertEquals(TemplateException.Kind.LIMIT, e.kind(), e.getMessage());
    }
}
