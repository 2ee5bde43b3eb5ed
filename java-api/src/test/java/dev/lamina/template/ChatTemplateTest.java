package dev.lamina.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Renderer features one by one. Expected strings are what Python's jinja2 3.1 renders with
 * Hugging Face's settings (trim_blocks, lstrip_blocks, loopcontrols, HF tojson).
 */
class ChatTemplateTest {

    private static String render(String template, Map<String, Object> vars) {
        RenderOptions.Builder b = RenderOptions.builder()
                .clock(Clock.fixed(LocalDate.of(2026, 7, 26).atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC));
        vars.forEach(b::variable);
        return ChatTemplate.parse(template).render(List.of(), b.build());
    }

    private static String render(String template) {
        return render(template, Map.of());
    }

    @Nested
    class Whitespace {
        @Test
        void trimBlocksAndLstripBlocksDropTagLines() {
            assertEquals("    yes\nend", render("{% if true %}\n    yes\n{% endif %}\nend\n"));
            assertEquals("a\n    b\nc", render("a\n    {% if true %}\n    b\n    {% endif %}\nc"));
        }

        @Test
        void minusStripsAllWhitespaceOnThatSide() {
            assertEquals("abc", render("a  {%- if true -%}  b  {%- endif -%}  c"));
        }

        @Test
        void plusKeepsWhitespace() {
            assertEquals("x\n  \ny", render("x\n  {%+ if true +%}\ny{% endif %}"));
        }

        @Test
        void printTagsKeepNewlinesButTheFinalOneIsDropped() {
            assertEquals("a\nb", render("{{ 'a' }}\n{{ 'b' }}\n"));
        }

        @Test
        void commentsAreStrippedLikeBlocks() {
            assertEquals("after", render("{# note #}\n  {# indented #}\nafter"));
        }

        @Test
        void windowsLineEndingsBecomeNewlines() {
            assertEquals("a\nb", render("a\r\n{% if true %}\r\nb{% endif %}"));
        }
    }

    @Nested
    class Loops {
        @Test
        void loopVariables() {
            var messages = List.of(Map.of("role", "user"), Map.of("role", "assistant"), Map.of("role", "user"));
            assertEquals("1TrueFalse3u 2FalseFalse3a 3FalseTrue3u ", render(
                    "{% for m in msgs %}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }}"
                            + "{{ m.role[0] }} {% endfor %}", Map.of("msgs", messages)));
        }

        @Test
        void elseRunsForAnEmptySequence() {
            assertEquals("none", render("{% for x in [] %}x{% else %}none{% endfor %}"));
        }

        @Test
        void breakAndContinue() {
            assertEquals("135", render("{% for x in range(10) %}{% if x is even %}{% continue %}{% endif %}"
                    + "{% if x > 6 %}{% break %}{% endif %}{{ x }}{% endfor %}"));
        }

        @Test
        void inlineFilterChangesLength() {
            assertEquals("0/2 3/2 ", render("{% for x in range(6) if x % 3 == 0 %}{{ x }}/{{ loop.length }} {% endfor %}"));
        }

        @Test
        void setInsideALoopIsLocalToEachIteration() {
            assertEquals("1110", render("{% set n = 0 %}{% for x in range(3) %}{% set n = n + 1 %}{{ n }}{% endfor %}{{ n }}"));
        }

        @Test
        void namespaceCarriesStateOutOfLoops() {
            assertEquals("3", render("{% set ns = namespace(n=0) %}{% for x in range(3) %}{% set ns.n = ns.n + 1 %}"
                    + "{% endfor %}{{ ns.n }}"));
        }

        @Test
        void tupleUnpackingOverItems() {
            assertEquals("a=1 b=2 ", render("{% for k, v in d.items() %}{{ k }}={{ v }} {% endfor %}",
                    Map.of("d", new java.util.TreeMap<>(Map.of("a", 1, "b", 2)))));
        }
    }

    @Nested
    class PythonSemantics {
        @Test
        void valuesPrintAsPythonStr() {
            assertEquals("None True 1.0 1e-07 3.5 3 [1, 'a', None] {'k': False}", render(
                    "{{ none }} {{ true }} {{ 1.0 }} {{ 1e-7 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ [1, 'a', none] }} {{ {'k': false} }}"));
        }

        @Test
        void slicingAndStringMethods() {
            assertEquals("fedcba bc 3 ['a', 'b'] True none", render("{{ 'abcdef'[::-1] }} {{ 'abcdef'[1:3] }} "
                    + "{{ [1, 2, 3][-1] }} {{ ' a b '.strip().split(' ') }} {{ 'x.y'.startswith('x') }} "
                    + "{{ d.get('k', 'none') }}", Map.of("d", Map.of())));
        }

        @Test
        void stringsCountCodePoints() {
            assertEquals("3 🦙 é🦙h", render("{{ 'h🦙é' | length }} {{ 'h🦙é'[1] }} {{ 'h🦙é'[::-1] }}"));
        }

        @Test
        void operators() {
            assertEquals("a1None 2 True True", render("{{ 'a' ~ 1 ~ none }} {{ 1 if false else 2 }} {{ 'y' in 'xyz' }} {{ 2 not in [1] }}"));
            assertEquals("7|9|4|aB", render("{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ -2 ** 2 }}|{{ 'a' + 'b' | upper }}"));
        }

        @Test
        void undefinedIsEmptyFalsyAndIterable() {
            assertEquals("[]False0", render("[{{ nothing }}]{{ nothing is defined }}{{ nothing | length }}"
                    + "{% for x in nothing %}x{% endfor %}"));
        }
    }

    @Nested
    class FiltersAndTests {
        @Test
        void commonFilters() {
            assertEquals("hi|\"hé\"|{\n  \"a\": [\n    1,\n    2\n  ]\n}|x, y|dflt|3", render(
                    "{{ '  hi  ' | trim }}|{{ 'hé' | tojson }}|{{ {'a': [1, 2]} | tojson(indent=2) }}|"
                            + "{{ ['x', 'y'] | join(', ') }}|{{ x | default('dflt') }}|{{ 'abc' | length }}"));
        }

        @Test
        void tojsonKeepsInsertionOrderAndPythonSeparators() {
            Map<String, Object> tool = new java.util.LinkedHashMap<>();
            tool.put("name", "f");
            tool.put("args", List.of(1, 2.5, true));
            tool.put("none", null);
            assertEquals("{\"name\": \"f\", \"args\": [1, 2.5, true], \"none\": null}",
                    render("{{ t | tojson }}", Map.of("t", tool)));
        }

        @Test
        void selectattrAndMap() {
            var msgs = List.of(Map.of("role", "user", "content", "a"), Map.of("role", "bot", "content", "b"),
                    Map.of("role", "user", "content", "c"));
            assertEquals("a,c", render("{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') "
                    + "| join(',') }}", Map.of("msgs", msgs)));
        }

        @Test
        void tests() {
            assertEquals("False True True True True True False", render("{{ x is defined }} {{ none is none }} "
                    + "{{ 'a' is string }} {{ {} is mapping }} {{ 'a' is iterable }} {{ 3 is number }} {{ 'a' is not string }}"));
        }

        @Test
        void macros() {
            assertEquals("Hi Ann! Hi Bob?", render("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}"
                    + "{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', punct='?') }}"));
        }

        @Test
        void strftimeNowReadsTheClock() {
            assertEquals("26 Jul 2026", render("{{ strftime_now('%d %b %Y') }}"));
        }
    }

    @Nested
    class Errors {
        @Test
        void raiseExceptionCarriesTheTemplatesMessage() {
            TemplateException e = assertThrows(TemplateException.class,
                    () -> render("line one\n{{ raise_exception('No system messages, ' ~ 'please') }}"));
            assertEquals(TemplateException.Kind.RAISED, e.kind());
            assertEquals("No system messages, please", e.getMessage());
            assertEquals(2, e.line());
        }

        @Test
        void syntaxErrorsNameLineAndColumn() {
            TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("ok\n{% if x %}\n{{ 1 + }}"));
            assertEquals(TemplateException.Kind.SYNTAX, e.kind());
            assertEquals(3, e.line());
            assertEquals(8, e.column());
            assertTrue(e.getMessage().startsWith("template line 3, column 8: "), e.getMessage());
        }

        @Test
        void unclosedBlock() {
            TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("{% for x in y %}"));
            assertTrue(e.getMessage().contains("endfor"), e.getMessage());
        }

        @Test
        void unknownFilterIsASyntaxError() {
            TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse("{{ x | shout }}"));
            assertTrue(e.getMessage().contains("No filter named 'shout'"), e.getMessage());
        }

        @Test
        void badOperandTypesNameTheOperationAndLine() {
            TemplateException e = assertThrows(TemplateException.class, () -> render("\n\n{{ 'a' + none }}"));
            assertEquals(TemplateException.Kind.RENDER, e.kind());
            assertEquals(3, e.line());
            assertTrue(e.getMessage().contains("can only concatenate str (not \"NoneType\") to str"), e.getMessage());
            assertTrue(e.getMessage().contains("'+'"), e.getMessage());
        }

        @Test
        void absurdNestingIsASyntaxErrorNotACrash() {
            String deep = "{{ " + "(".repeat(100_000) + "1" + ")".repeat(100_000) + " }}";
            TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.parse(deep));
            assertEquals(TemplateException.Kind.SYNTAX, e.kind());
        }

        @Test
        void unknownMethod() {
            TemplateException e = assertThrows(TemplateException.class, () -> render("{{ 'x'.shout() }}"));
            assertTrue(e.getMessage().contains("'str object' has no attribute 'shout'"), e.getMessage());
        }

        @Test
        void mutatingMethodsAreRefusedAsInTheSandbox() {
            TemplateException e = assertThrows(TemplateException.class, () -> render("{{ [].append(1) }}"));
            assertTrue(e.getMessage().contains("unsafe"), e.getMessage());
        }

        @Test
        void attributeOfUndefined() {
            TemplateException e = assertThrows(TemplateException.class, () -> render("{{ missing.attr }}"));
            assertTrue(e.getMessage().contains("'missing' is undefined"), e.getMessage());
        }
    }

    @Nested
    class Api {
        private static final String CHATML = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}"
                + "{% if m.tool_calls is defined %}{{ m.tool_calls | tojson }}{% endif %}{{ '\\n' }}{% endfor %}"
                + "{% if tools %}tools={{ tools | map(attribute='name') | join(',') }}{{ '\\n' }}{% endif %}"
                + "{% if add_generation_prompt %}<|assistant|>{% endif %}{{ eos_token }}";

        @Test
        void messagesToolsAndSpecialTokens() {
            ChatTemplate t = ChatTemplate.parse(CHATML);
            var call = new ChatMessage("assistant", null,
                    Map.of("tool_calls", List.of(Map.of("name", "get_time"))));
            String out = t.render(List.of(ChatMessage.user("hi"), call), RenderOptions.builder()
                    .tools(List.of(Map.of("name", "get_time"))).eosToken("</s>").build());
            assertEquals("<|user|>hi\n<|assistant|>None[{\"name\": \"get_time\"}]\ntools=get_time\n<|assistant|></s>", out);
        }

        @Test
        void withoutOptionsSpecialTokensAreUndefined() {
            ChatTemplate t = ChatTemplate.parse("[{{ bos_token }}]{{ tools is none }}{{ add_generation_prompt }}");
            assertEquals("[]TrueFalse", t.render(List.of(), false));
        }

        @Test
        void fromMapKeepsExtraFields() {
            ChatMessage m = ChatMessage.fromMap(Map.of("role", "tool", "content", "42", "tool_call_id", "abc"));
            assertEquals(Map.of("tool_call_id", "abc"), m.extra());
            assertThrows(IllegalArgumentException.class, () -> ChatMessage.fromMap(Map.of("content", "x")));
        }

        @Test
        void oneParsedTemplateRendersFromManyThreads() throws Exception {
            ChatTemplate t = ChatTemplate.parse(CHATML);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    String text = "message " + i;
                    results.add(pool.submit(() -> t.render(List.of(ChatMessage.user(text)), true)));
                }
                for (int i = 0; i < results.size(); i++) {
                    assertEquals("<|user|>message " + i + "\n<|assistant|>", results.get(i).get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
