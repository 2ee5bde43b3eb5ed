package dev.lamina.template;

import static dev.lamina.template.Templates.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** groupby, slice, striptags, urlencode, xmlattr, filesizeformat, wordwrap; expected strings rendered by jinja2 3.1. */
class SequenceAndTextFiltersTest {

    @Test
    void asJinja2RendersThem() {
        assertEquals("X:a,c;y:b;", render("{% for g in [{'n':'a','c':'X'},{'n':'b','c':'y'},{'n':'c','c':'x'}]|groupby('c') %}{{ g.grouper }}:{{ g.list|map(attribute='n')|join(',') }};{% endfor %}"));
        assertEquals("X:a;x:c;y:b;", render("{% for g in [{'n':'a','c':'X'},{'n':'b','c':'y'},{'n':'c','c':'x'}]|groupby('c', case_sensitive=true) %}{{ g.grouper }}:{{ g.list|map(attribute='n')|join(',') }};{% endfor %}"));
        assertEquals("1=1 2=2 ", render("{% for k, items in [{'n':1,'t':2},{'n':2,'t':1},{'n':3,'t':2}]|groupby('t') %}{{ k }}={{ items|length }} {% endfor %}"));
        assertEquals("[(0, [{'b': 2}]), (1, [{'a': 1}])]", render("{{ [{'a':1},{'b':2}]|groupby('a', default=0)|list }}"));
        assertEquals("[[1, 2, 3], [4, 5], [6, 7]]", render("{{ [1,2,3,4,5,6,7]|slice(3)|list }}"));
        assertEquals("[[1, 2, 3], [4, 5, 'x'], [6, 7, 'x']]", render("{{ [1,2,3,4,5,6,7]|slice(3, 'x')|list }}"));
        assertEquals("[[1], [2], [], []]", render("{{ [1,2]|slice(4)|list }}"));
        assertEquals("Hello World & <x>", render("{{ '<p>Hello   <b>World</b></p><!-- c --> &amp; &lt;x&gt;'|striptags }}"));
        assertEquals("a b", render("{{ '  a\\n\\tb  '|striptags }}"));
        assertEquals("a%20b/c%3Fd%3D%C3%A9", render("{{ 'a b/c?d=\u00e9'|urlencode }}"));
        assertEquals("a+b=c%2Fd&e=1", render("{{ {'a b': 'c/d', 'e': 1}|urlencode }}"));
        assertEquals("x=y+z", render("{{ [('x', 'y z')]|urlencode }}"));
        assertEquals(" class=\"x\" data=\"&lt;&#34;&amp;&gt;\"", render("{{ {'class': 'x', 'id': none, 'data': '<\"&>'}|xmlattr }}"));
        assertEquals("class=\"x\"", render("{{ {'class': 'x'}|xmlattr(false) }}"));
        assertEquals("1 Byte 999 Bytes 1.0 kB 123.5 MB 1.0 KiB 1000000.0 YB", render("{{ 1|filesizeformat }} {{ 999|filesizeformat }} {{ 1000|filesizeformat }} {{ 123456789|filesizeformat }} {{ 1024|filesizeformat(true) }} {{ (10**30)|filesizeformat }}"));
        assertEquals("0 Bytes 1.5 KiB", render("{{ 0|filesizeformat }} {{ 1536|filesizeformat(binary=true) }}"));
    }

    @Test
    void wordwrapWrapsAsPythonTextwrapDoes() {
        // Also checked on 300 random texts, widths and flags against jinja2 while writing it.
        assertEquals("The quick\nbrown fox\njumps over\nthe lazy\ndog", render("{{ 'The quick brown fox jumps over the lazy dog'|wordwrap(10) }}"));
        assertEquals("e.g. a|x--y|well-|known|word,|well-|known |superc|alifra|gilist|icexpi|alidoc|ious|well-|known|bb", render("{{ \"e.g. a x--y well-known word, well-known supercalifragilisticexpialidocious well-known bb\"|wordwrap(6, true, '|', true) }}"));
        assertEquals("dd|dd|ta|b\t|he|re|lo|ng|-h|yp|he|na|te|d-|wo|rd|a |\u00fcn|\u00efc|\u00f6d|\u00e9 |cc|c|--", render("{{ \"dddd tab\\there long-hyphenated-word a \\u00fcn\\u00efc\\u00f6d\\u00e9 ccc --      \"|wordwrap(2, true, '|', false) }}"));
        assertEquals("\u00fcn\u00efc\u00f6d\u00e9 end. a e.g. |supercalifragilistic|expialidocious ccc|bb ccc end.", render("{{ \"\\u00fcn\\u00efc\\u00f6d\\u00e9 end. a e.g. supercalifragilisticexpialidocious ccc bb ccc end.\"|wordwrap(20, true, '|', false) }}"));
        assertEquals("a|supercalifragilisticexpialidocious|b", render("{{ \"a supercalifragilisticexpialidocious b\"|wordwrap(10, false, '|') }}"));
        assertEquals("line one<br>is long<br>line two", render("{{ \"line one is long\\nline two\"|wordwrap(8, wrapstring='<br>') }}"));
        assertEquals("w\ne\nl\nl\n-\nk\nn\no\nw\nn\n-\n-\nl\no\nn\ng\n-\nh\ny\np\nh\ne\nn\na\nt\ne\nd\n-\nw\no\nr\nd\ne\nn\nd\n.\nx\n-\n-\ny", render("{{ \"well-known\\n-- long-hyphenated-word end. x--y\"|wordwrap(1) }}"));
    }

    @Test
    void xmlattrRefusesKeysThatWouldBreakTheMarkup() {
        assertThrows(TemplateException.class, () -> render("{{ {'a b': 1}|xmlattr }}"));
    }
}
