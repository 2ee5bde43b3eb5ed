package dev.lamina.template;

import static dev.lamina.template.Templates.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unknown filters and tests, and statements needing a template loader, fail where jinja2 3.1
 * fails them: at parse time in plain code, only when executed inside an if statement or an inline
 * if (every expectation checked against jinja2).
 */
class UnknownNamesTest {

    private static void syntaxError(String template, String message, int column) {
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse(template));
        assertEquals(TemplateException.Kind.SYNTAX, e.kind(), e.getMessage());
        assertEquals(message, e.reason());
        assertEquals(1, e.line());
        assertEquals(column, e.column());
    }

    private static void renderError(String template, String message) {
        ChatTemplate t = ChatTemplate.parse(template);
        TemplateException e = assertThrows(TemplateException.class, () -> t.render(List.of(), RenderOptions.defaults()));
        assertEquals(TemplateException.Kind.RENDER, e.kind(), e.getMessage());
        assertTrue(e.reason().contains(message), e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    void anUnknownFilterInAnUntakenBranchIsNoError() {
        // The shape of DeepSeek-V3.2's template: a filter only its own renderer has, behind a guard.
        assertEquals("plain", render("{% if false %}{{ x|from_json }}{% else %}plain{% endif %}"));
        assertEquals("1", render("{{ x|nope if false else 1 }}"));
        assertEquals("ok", render("{% if false %}{% for a in b|nope %}{% endfor %}{% endif %}ok"));
        assertEquals("ok", render("{% if false %}{% set a = b|nope %}{% endif %}ok"));
        assertEquals("", render("{% if false %}{{ x is nope }}{% endif %}"));
    }

    @Test
    void anUnknownFilterFailsWhenItsBranchRuns() {
        renderError("{% if true %}{{ x|nope }}{% endif %}", "No filter named 'nope' found.");
        renderError("{% if false %}{% else %}{{ x|nope }}{% endif %}", "No filter named 'nope' found.");
        renderError("{% if x|nope %}{% endif %}", "No filter named 'nope' found.");
        renderError("{{ 1 if x|nope else 2 }}", "No filter named 'nope' found.");
        renderError("{% if true %}{{ a is nope }}{% endif %}", "No test named 'nope' found.");
    }

    @Test
    void outsideAnIfAnUnknownNameIsStillAParseError() {
        syntaxError("{{ x|nope }}", "No filter named 'nope'.", 6);
        syntaxError("{{ x is nope }}", "No test named 'nope'.", 6);
        syntaxError("{{ y and x|nope }}", "No filter named 'nope'.", 12);
        // A loop, macro, with or set-block body inside an if is a fresh frame: checked again.
        syntaxError("{% if false %}{% for a in b %}{{ a|nope }}{% endfor %}{% endif %}", "No filter named 'nope'.", 36);
        syntaxError("{% if false %}{% macro m() %}{{ a|nope }}{% endmacro %}{% endif %}", "No filter named 'nope'.", 35);
        syntaxError("{% if false %}{% with a = 1 %}{{ a|nope }}{% endwith %}{% endif %}", "No filter named 'nope'.", 36);
        syntaxError("{% if false %}{% set a | nope %}x{% endset %}{% endif %}", "No filter named 'nope'.", 26);
    }

    @Test
    void includeAndImportFailOnlyWhenRun() {
        assertEquals("ok", render("{% if false %}{% include 'other.jinja' %}{% endif %}ok"));
        assertEquals("ok", render("{% if false %}{% import 'm.jinja' as m %}{% endif %}ok"));
        assertEquals("ok", render("{% if false %}{% from 'm.jinja' import x %}{% endif %}ok"));
        renderError("{% include 'other.jinja' %}", "no loader for this environment specified");
    }
}
