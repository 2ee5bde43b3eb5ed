package dev.lamina.template;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Jinja's markup and text filters: striptags, urlencode, xmlattr, filesizeformat, wordwrap. */
final class TextFilters {
    private TextFilters() {}

    private static final Pattern COMMENTS_AND_TAGS = Pattern.compile("<!--.*?-->|<[^>]*>", Pattern.DOTALL);
    private static final Pattern BAD_ATTRIBUTE_KEY = Pattern.compile("[\\s/>=]");

    static void register() {
        Filters.define((r, v, a) -> striptags(Values.str(v)), "striptags");
        Filters.define((r, v, a) -> urlencode(v), "urlencode");
        Filters.define((r, v, a) -> xmlattr(v, Values.truthy(a.get(0, "autospace", true))), "xmlattr");
        Filters.define((r, v, a) -> filesizeformat(v, Values.truthy(a.get(0, "binary", false))), "filesizeformat");
        Filters.define((r, v, a) -> WordWrap.wrap(Values.str(v), (int) Values.toLong(a.get(0, "width", 79L)),
                Values.truthy(a.get(1, "break_long_words", true)),
                a.get(2, "wrapstring", null) == null ? "\n" : Values.str(a.get(2, "wrapstring", null)),
                Values.truthy(a.get(3, "break_on_hyphens", true))), "wordwrap");
    }

    /** Markup.striptags: tags and comments removed, entities decoded, whitespace runs made one space. */
    private static String striptags(String s) {
        String text = COMMENTS_AND_TAGS.matcher(s).replaceAll("");
        StringBuilder out = new StringBuilder();
        for (Object word : PyStrings.split(unescape(text), null, -1)) {
            out.append(out.isEmpty() ? "" : " ").append(word);
        }
        return out.toString();
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#34;", "\"")
                .replace("&#39;", "'").replace("&#x27;", "'").replace("&nbsp;", "\u00a0").replace("&amp;", "&");
    }

    private static String urlencode(Object v) {
        if (v instanceof String s) {
            return quote(s, false);
        }
        List<Object> pairs = new ArrayList<>();
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> pairs.add(PyTuple.of(k, x)));
        } else {
            pairs.addAll(Values.iterate(v));
        }
        List<String> parts = new ArrayList<>();
        for (Object pair : pairs) {
            List<Object> kv = Values.iterate(pair);
            parts.add(quote(Values.str(kv.get(0)), true) + "=" + quote(Values.str(kv.get(1)), true));
        }
        return String.join("&", parts);
    }

    /** urllib's quote on the UTF-8 bytes; '/' stays unless quoting a query-string part, where a space is '+'. */
    private static String quote(String s, boolean queryPart) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "_.-~".indexOf(c) >= 0
                    || (c == '/' && !queryPart)) {
                sb.append((char) c);
            } else if (c == ' ' && queryPart) {
                sb.append('+');
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    private static String xmlattr(Object v, boolean autospace) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new EvalError("xmlattr expects a mapping, got '" + Values.typeName(v) + "'");
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getValue() == null || e.getValue() instanceof Undefined) {
                continue;
            }
            String key = Values.str(e.getKey());
            if (BAD_ATTRIBUTE_KEY.matcher(key).find()) {
                throw new EvalError("ValueError: Invalid character in attribute name: " + PyStrings.repr(key));
            }
            parts.add(Filters.escape(key) + "=\"" + Filters.escape(Values.str(e.getValue())) + "\"");
        }
        String out = String.join(" ", parts);
        return autospace && !out.isEmpty() ? " " + out : out;
    }

    private static String filesizeformat(Object v, boolean binary) {
        double bytes = v instanceof String s ? Double.parseDouble(s.strip()) : Values.toDouble(v);
        int base = binary ? 1024 : 1000;
        String[] prefixes = binary
                ? new String[] {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
                : new String[] {"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
        if (bytes == 1) {
            return "1 Byte";
        }
        if (bytes < base) {
            return (long) bytes + " Bytes";
        }
        double unit = base;
        String prefix = prefixes[0];
        for (int i = 0; i < prefixes.length; i++) {
            unit = Math.pow(base, i + 2);
            prefix = prefixes[i];
            if (bytes < unit) {
                break;
            }
        }
        return FormatSpec.apply(base * bytes / unit, ".1f") + " " + prefix;
    }
}
