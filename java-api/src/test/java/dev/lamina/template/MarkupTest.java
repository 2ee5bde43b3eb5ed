package dev.lamina.template;

import static dev.lamina.template.Templates.render;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@code |safe} and {@code |escape} make jinja2 Markup: a plain string added to it, or formatted
 * into it, is HTML-escaped; {@code ~} and {@code join} give plain strings. Expected strings are
 * what jinja2 3.1 renders (with autoescape off, as Hugging Face runs it).
 */
class MarkupTest {

    @Test
    void plusEscapesThePlainOperandOnEitherSide() {
        assertEquals("<b>&lt;i&gt;", render("{{ ('<b>'|safe) + '<i>' }}"));
        assertEquals("&lt;i&gt;<b>", render("{{ '<i>' + ('<b>'|safe) }}"));
        assertEquals("<b>&#39;", render("{% set x = '<b>'|safe %}{{ x + \"'\" }}"));
        assertEquals("<b>&#34;", render("{{ ('<b>'|safe) + '\"' }}"));
        // The sum is markup again, so the escaping goes on.
        assertEquals("True", render("{{ (('a'|safe) + '\"') is escaped }}"));
        assertEquals("<b>&lt;", render("{{ ('<b>'|safe)|string + '<' }}"));
    }

    @Test
    void percentFormatAndTheFormatFilterEscapeTheirArguments() {
        assertEquals("<b>&lt;i&gt;", render("{{ ('<b>%s'|safe) % '<i>' }}"));
        assertEquals("<b>&lt;i&gt;", render("{{ ('<b>{}'|safe).format('<i>') }}"));
        assertEquals("&lt;", render("{{ ('%s'|safe)|format('<') }}"));
    }

    @Test
    void tildeJoinAndRepetitionGivePlainStrings() {
        assertEquals("<b><i>", render("{{ ('<b>'|safe) ~ '<i>' }}"));
        assertEquals("<i>&<b>", render("{{ ['<i>', '<b>'|safe]|join('&') }}"));
        assertEquals("<b><b>", render("{{ ('<b>'|safe) * 2 }}"));
        assertEquals("False", render("{{ (('<b>'|safe) ~ 'x') is escaped }}"));
    }

    @Test
    void escapeMakesMarkupAndLeavesMarkupAlone() {
        assertEquals("True False True", render("{{ ('<b>'|safe) is escaped }} {{ '<b>' is escaped }} {{ '<b>'|e is escaped }}"));
        assertEquals("<b>", render("{{ ('<b>'|safe)|escape }}"));
        assertEquals("&lt;b&gt;&lt;", render("{{ '<b>'|escape + '<' }}"));
        assertEquals("&lt;b&gt;", render("{{ ('<b>'|safe)|forceescape }}"));
        assertEquals("True 3", render("{{ ('a'|safe) == 'a' }} {{ ('<b>'|safe)|length }}"));
    }
}
