package dev.lamina.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each render bound stops a hostile template with a LIMIT error naming the bound and how to raise it. */
class TemplateLimitsTest {

    private static String render(String template, RenderOptions options) {
        return ChatTemplate.parse(template).render(List.of(ChatMessage.user("hi")), options);
    }

    private static TemplateException limitError(String template, RenderOptions options, String limit) {
        TemplateException e = assertThrows(TemplateException.class, () -> render(template, options));
        assertEquals(TemplateException.Kind.LIMIT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("TemplateLimits." + limit), e.getMessage());
        assertTrue(e.getMessage().contains("RenderOptions.Builder." + limit), e.getMessage());
        return e;
    }

    private static final String NESTED_LOOPS =
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
    private static final String DOUBLING = "{% set ns = namespace(s='x') %}{% for i in range(64) %}"
            + "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}";

    @Test
    void nestedLoopsRunOutOfOperations() {
        TemplateException e = limitError(NESTED_LOOPS, RenderOptions.builder().maxOperations(10_000).build(),
                "maxOperations");
        assertTrue(e.getMessage().contains("10000"), e.getMessage());
    }

    @Test
    void nestedLoopsStopWithTheDefaultBudget() {
        limitError(NESTED_LOOPS, RenderOptions.defaults(), "maxOperations");
    }

    @Test
    void operationBudgetCountsEveryIterationEvenOfEmptyBodies() {
        String loop = "{% for i in range(1000) %}{% endfor %}";
        limitError(loop, RenderOptions.builder().maxOperations(999).build(), "maxOperations");
        assertEquals("", render(loop, RenderOptions.builder().maxOperations(1100).build()));
    }

    @Test
    void doublingAStringInAVariableStopsAtTheValueLimitEvenIfNeverOutput() {
        String silent = "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
                + "{% endfor %}";
        TemplateException e = limitError(silent, RenderOptions.builder().maxValueSize(1 << 20).build(),
                "maxValueSize");
        assertTrue(e.getMessage().contains(String.valueOf(1 << 20)), e.getMessage());
        limitError(DOUBLING, RenderOptions.defaults(), "maxValueSize");
        assertEquals("1024", render(DOUBLING.replace("range(64)", "range(10)"), RenderOptions.defaults()));
    }

    @Test
    void repetitionIsRefusedBeforeItIsBuilt() {
        RenderOptions small = RenderOptions.builder().maxValueSize(1000).build();
        limitError("{{ 'x' * 10**12 }}", small, "maxValueSize");
        limitError("{{ ([1] * 10**12)|length }}", small, "maxValueSize");
        limitError("{{ 'ab'.center(10**10) }}", small, "maxValueSize");
        limitError("{{ '%999999999s' % 'a' }}", small, "maxValueSize");
        limitError("{{ ('x' * 500).replace('', 'yy') }}", small, "maxValueSize");
        limitError("{{ ['x' * 600, 'x' * 600]|join }}", small, "maxValueSize");
        assertEquals(1000, render("{{ 'x' * 1000 }}", small).length());
    }

    @Test
    void outputIsBounded() {
        RenderOptions small = RenderOptions.builder().maxOutputChars(5000).build();
        limitError("{% for i in range(100) %}{{ 'x' * 100 }}{% endfor %}", small, "maxOutputChars");
        assertEquals(5000, render("{% for i in range(50) %}{{ 'x' * 100 }}{% endfor %}", small).length());
    }

    @Test
    void selfRecursiveMacroStopsAtTheDepthLimit() {
        String recursive = "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}";
        TemplateException e = limitError(recursive, RenderOptions.builder().maxDepth(20).build(), "maxDepth");
        assertTrue(e.getMessage().contains("20"), e.getMessage());
        limitError(recursive, RenderOptions.defaults(), "maxDepth");
        String countdown = "{% macro m(n) %}{{ n }}{% if n > 0 %}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(5) }}";
        assertEquals("543210", render(countdown, RenderOptions.builder().maxDepth(6).build()));
    }

    @Test
    void deepRecursionOnASmallStackIsALimitErrorNotAnError() throws Exception {
        String recursive = "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}";
        RenderOptions deep = RenderOptions.builder().maxDepth(1_000_000).build();
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                render(recursive, deep);
            } catch (Throwable e) {
                thrown[0] = e;
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join();
        assertTrue(thrown[0] instanceof TemplateException, String.valueOf(thrown[0]));
        assertEquals(TemplateException.Kind.LIMIT, ((TemplateException) thrown[0]).kind());
        assertTrue(thrown[0].getMessage().contains("TemplateLimits.maxDepth"), thrown[0].getMessage());
    }

    @Test
    void deeplyNestedExpressionsAndBlocksAreSyntaxErrorsWithAPosition() {
        for (String deep : List.of("{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}",
                "{{ " + "-".repeat(20000) + "1 }}",
                "{% if true %}".repeat(3000) + "{% endif %}".repeat(3000))) {
            TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse(deep));
            assertEquals(TemplateException.Kind.SYNTAX, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("deeper than " + Parser.MAX_NESTING), e.getMessage());
            assertTrue(e.line() > 0 && e.column() > 0, e.getMessage());
        }
        String nested = "{{ " + "(".repeat(50) + "1" + ")".repeat(50) + " }}";
        assertEquals("1", render(nested, RenderOptions.defaults()));
    }

    @Test
    void hugeIntegersAreARenderErrorNotAnArithmeticException() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> render("{{ 'x' * 10**30 }}", RenderOptions.defaults()));
        assertEquals(TemplateException.Kind.RENDER, e.kind());
        assertTrue(e.getMessage().contains("OverflowError"), e.getMessage());
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> RenderOptions.builder().maxOperations(0));
        assertThrows(IllegalArgumentException.class, () -> RenderOptions.builder().maxDepth(-1));
    }
}
