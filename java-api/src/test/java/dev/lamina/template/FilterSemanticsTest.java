package dev.lamina.template;

import static dev.lamina.template.Templates.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Filter corner cases real templates hit; every expectation is what jinja2 3.1 renders. */
class FilterSemanticsTest {

    @Test
    void selectRejectAndMapIterateAFalsyValueAsEmpty() {
        // functionary-v3.1 runs tools|selectattr(...) with tools = none.
        assertEquals("[]", render("{{ none|selectattr('type', 'equalto', 'code')|list }}"));
        assertEquals("[]", render("{{ none|rejectattr('a')|list }}"));
        assertEquals("[]", render("{{ none|select|list }}"));
        assertEquals("[]", render("{{ none|reject|list }}"));
        assertEquals("[]", render("{{ none|map('upper')|list }}"));
        assertEquals("", render("{{ none|map(attribute='name')|join(',') }}"));
        assertEquals("[][]", render("{{ false|select|list }}{{ 0|map('upper')|list }}"));
        assertEquals("[]", render("{{ undefined_name|selectattr('a')|list }}"));
        // A truthy non-iterable still fails, as in Python.
        assertThrows(TemplateException.class, () -> render("{{ 5|map('upper')|list }}"));
        // |list itself does not take the shortcut: list(None) is a TypeError.
        assertThrows(TemplateException.class, () -> render("{{ none|list }}"));
    }

    @Test
    void roundKeepsAnIntAnInt() {
        assertEquals("7", render("{{ 7|round }}"));
        assertEquals("7", render("{{ 7|round(2) }}"));
        assertEquals("20 20 -10", render("{{ 15|round(-1) }} {{ 25|round(-1) }} {{ -7|round(-1) }}"));
        assertEquals("1", render("{{ true|round }}"));
        // A float stays a float, and so does any ceil/floor result.
        assertEquals("8.0 2.0", render("{{ 7.5|round }} {{ 2.5|round }}"));
        assertEquals("7.0 7.2", render("{{ 7|round(method='floor') }} {{ 7.25|round(1, 'floor') }}"));
    }

    @Test
    void attrLooksUpAttributesNotItems() {
        assertEquals("False", render("{{ ({'a': 1}|attr('a')) is defined }}"));
        assertEquals("[('a', 1)]", render("{{ {'a': 1}|attr('items')()|list }}"));
        assertEquals("AB", render("{{ ('ab'|attr('upper'))() }}"));
        assertEquals("3", render("{{ namespace(a=3)|attr('a') }}"));
    }
}
