package dev.lamina.template;

import static dev.lamina.template.Templates.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * map, select, reject, selectattr and rejectattr return generators as in jinja2: always truthy,
 * single pass, no length, not a sequence, not JSON; |list materialises them. Expected strings are
 * what jinja2 3.1 renders.
 */
class GeneratorTest {

    @Test
    void generatorsBehaveAsInJinja2() {
        // Surprising but true in jinja2: an empty generator is truthy.
        assertEquals("T", render("{% if []|select %}T{% else %}F{% endif %}"));
        assertEquals("['1', '2']", render("{{ [1,2]|map('string')|list }}"));
        assertEquals("1,2", render("{{ [1,2]|map('string')|join(',') }}"));
        assertEquals("1", render("{{ [1,2]|select|first }}"));
        assertEquals("True", render("{{ [1,2]|select is iterable }}"));
        assertEquals("12|", render("{% set g = [1,2]|select %}{% for x in g %}{{ x }}{% endfor %}|{% for x in g %}{{ x }}{% endfor %}"));
        assertEquals("", render("{{ ([1,2]|select)[0] }}"));
        assertEquals("[1, 3]", render("{{ [3,1]|select|sort }}"));
        assertEquals("3", render("{{ [1,2]|select|sum }}"));
        assertEquals("False", render("{{ ([1,2]|select) == [1,2] }}"));
        assertEquals("[2]", render("{{ [1,2]|reject('odd')|list|tojson }}"));
        assertEquals("[1, 2]", render("{{ [1,2]|select|unique|list }}"));
        assertEquals("[2, 1]", render("{{ [1,2]|select|reverse|list }}"));
        assertEquals("[1, 2]", render("{{ [1,2]|map('string')|map('int')|list }}"));
        assertEquals("True", render("{{ 2 in [1,2]|select }}"));
        assertEquals("False", render("{{ ([1,2]|select) is sequence }}"));
        assertEquals("[[1], [2]]", render("{{ [1,2]|select|batch(1)|list }}"));
        assertEquals("2", render("{{ [1,2]|select|max }}"));
        assertEquals("12", render("{% for a, b in [[1,2]]|select %}{{ a }}{{ b }}{% endfor %}"));
        assertEquals("1", render("{{ [[1,2]|select]|length }}"));
        assertEquals("False", render("{{ not ([]|select) }}"));
    }

    @Test
    void lengthLastAndTojsonOfAGeneratorFail() {
        for (String bad : List.of("{{ [1,2]|select|last }}",
                "{{ [1,2]|select|length }}",
                "{{ [1,2]|select|count }}",
                "{{ [1, 2]|map('string')|tojson }}")) {
            assertThrows(TemplateException.class, () -> render(bad), bad);
        }
    }
}
