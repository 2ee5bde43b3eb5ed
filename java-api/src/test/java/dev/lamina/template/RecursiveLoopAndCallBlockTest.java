package dev.lamina.template;

import static dev.lamina.template.Templates.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Recursive for loops and call blocks; expected strings rendered by jinja2 3.1. */
class RecursiveLoopAndCallBlockTest {

    @Test
    void recursiveLoopsRenderChildrenWithTheirDepth() {
        assertEquals("[1/0:a1([2/1:b1][2/1:c2([3/2:d1])])][1/0:e2]", render("{% set tree = [{'n':'a','c':[{'n':'b','c':[]},{'n':'c','c':[{'n':'d','c':[]}]}]},{'n':'e','c':[]}] %}{% for x in tree recursive %}[{{ loop.depth }}/{{ loop.depth0 }}:{{ x.n }}{{ loop.index }}{% if x.c %}({{ loop(x.c) }}){% endif %}]{% endfor %}"));
        assertEquals("a<b<->>", render("{% set tree = [{'n':'a','c':[{'n':'b','c':[]}]},{'n':'e','c':[]}] %}{% for x in tree if x.n != 'e' recursive %}{{ x.n }}<{{ loop(x.c) }}>{% else %}-{% endfor %}"));
        assertEquals("1@2 2@3 3@4 ", render("{% set t = [[1,[2,[3]]]] %}{% for x in t recursive %}{% if x is iterable %}{{ loop(x) }}{% else %}{{ x }}@{{ loop.depth }} {% endif %}{% endfor %}"));
        assertEquals("22", render("{% for x in [1,2] recursive %}{{ loop.length }}{% endfor %}"));
    }

    @Test
    void onlyARecursiveLoopCanBeCalled() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> render("{% for x in [1] %}{{ loop([2]) }}{% endfor %}"));
        assertTrue(e.reason().contains("'recursive' marker"), e.getMessage());
    }

    @Test
    void endlessRecursionStopsAtTheDepthLimit() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> render("{% for x in [1] recursive %}{{ loop([x]) }}{% endfor %}"));
        assertEquals(TemplateException.Kind.LIMIT, e.kind(), e.getMessage());
    }

    @Test
    void callBlocksPassTheirBodyAsCaller() {
        assertEquals("<t:inner>", render("{% macro box(title) %}<{{ title }}:{{ caller() }}>{% endmacro %}{% call box('t') %}inner{% endcall %}"));
        assertEquals("[1=a][2=b]", render("{% macro each(xs) %}{% for x in xs %}[{{ caller(x, loop.index) }}]{% endfor %}{% endmacro %}{% call(item, i) each(['a','b']) %}{{ i }}={{ item }}{% endcall %}"));
        assertEquals("z", render("{% macro m() %}{{ caller('z') }}{% endmacro %}{% call(v='d') m() %}{{ v }}{% endcall %}"));
        assertEquals("d", render("{% macro m() %}{{ caller() }}{% endmacro %}{% call(v='d') m() %}{{ v }}{% endcall %}"));
        assertEquals("outer", render("{% set p = 'outer' %}{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}{{ p }}{% endcall %}"));
        assertEquals("False", render("{% macro m() %}{{ caller is defined }}{% endmacro %}{{ m() }}"));
    }

    @Test
    void aMacroThatNeverReadsCallerRefusesACallBlock() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> render("{% macro m() %}x{% endmacro %}{% call m() %}y{% endcall %}"));
        assertTrue(e.reason().contains("special caller argument"), e.getMessage());
    }
}
