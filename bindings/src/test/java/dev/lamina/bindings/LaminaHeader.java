package dev.lamina.bindings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What lamina.h declares, read with a small parser that understands exactly the C subset the
 * header uses: LM_API function prototypes, typedef'd structs (with a body or opaque), typedef'd
 * enums, plain value typedefs, function-pointer typedefs and object-like macros. Anything else
 * lands in {@link #unrecognized} so the completeness test fails instead of silently checking
 * less than the header declares.
 */
final class LaminaHeader {

    record Param(String type, String name) {}

    record Function(String name, String returnType, List<Param> params) {}

    /** A struct member; arrayLength is -1 for scalars. */
    record Field(String type, String name, long arrayLength) {}

    record Struct(String name, List<Field> fields) {}

    /** An enum constant; value is null when the initializer is not a plain integer literal. */
    record EnumConstant(String name, Long value) {}

    final List<Function> functions = new ArrayList<>();
    final Map<String, Struct> structs = new LinkedHashMap<>();
    final Set<String> opaqueStructs = new LinkedHashSet<>();
    final Set<String> enumTypedefs = new LinkedHashSet<>();
    final List<EnumConstant> enumConstants = new ArrayList<>();
    /** typedef name -> the type it renames, e.g. lm_token -> int32_t. */
    final Map<String, String> valueTypedefs = new LinkedHashMap<>();
    final Set<String> functionPointerTypedefs = new LinkedHashSet<>();
    /** Every object-like macro name, and those whose value is a literal jextract turns into a constant. */
    final Set<String> macroNames = new LinkedHashSet<>();
    final Set<String> literalMacros = new LinkedHashSet<>();
    final List<String> unrecognized = new ArrayList<>();

    private static final Pattern IDENT_AT_END = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*$");
    private static final Pattern DEFINE =
            Pattern.compile("^\\s*#\\s*define\\s+([A-Za-z_][A-Za-z0-9_]*)(\\(?)\\s*(.*)$");
    private static final Pattern LITERAL = Pattern.compile(
            "^\\(?\\s*(-?(0[xX][0-9a-fA-F]+|[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?)[uUlLfF]*|\"[^\"]*\")\\s*\\)?$");
    private static final Pattern OPAQUE_STRUCT =
            Pattern.compile("^typedef\\s+(struct|union)\\s+([A-Za-z_]\\w*)\\s+([A-Za-z_]\\w*)$");
    private static final Pattern FUNCTION_POINTER_TYPEDEF =
            Pattern.compile("^typedef\\s+.*\\(\\s*\\*\\s*([A-Za-z_]\\w*)\\s*\\)\\s*\\(.*\\)$");

    static LaminaHeader parse(String source) {
        LaminaHeader header = new LaminaHeader();
        String code = stripComments(source);
        // The extern "C" wrapper would otherwise leave a stray brace pair behind.
        code = code.replaceAll("(?s)#\\s*ifdef\\s+__cplusplus.*?#\\s*endif", "");
        code = header.takeMacros(code);
        for (String declaration : splitTopLevel(code, ';')) {
            String d = declaration.replaceAll("\\s+", " ").trim();
            if (!d.isEmpty()) {
                header.addDeclaration(d);
            }
        }
        return header;
    }

    /** Records #define lines and returns the code with every preprocessor line removed. */
    private String takeMacros(String code) {
        StringBuilder kept = new StringBuilder();
        String[] lines = code.replace("\\\n", " ").split("\n", -1);
        for (String line : lines) {
            if (!line.stripLeading().startsWith("#")) {
                kept.append(line).append('\n');
                continue;
            }
            Matcher m = DEFINE.matcher(line);
            if (m.matches() && m.group(2).isEmpty()) {
                macroNames.add(m.group(1));
                if (LITERAL.matcher(m.group(3).trim()).matches()) {
                    literalMacros.add(m.group(1));
                }
            }
        }
        return kept.toString();
    }

    private void addDeclaration(String d) {
        if (d.startsWith("LM_API ")) {
            addFunction(d.substring("LM_API ".length()));
        } else if (d.startsWith("typedef ") && d.contains("{")) {
            addTypedefWithBody(d);
        } else if (OPAQUE_STRUCT.matcher(d).matches()) {
            Matcher m = OPAQUE_STRUCT.matcher(d);
            m.matches();
            opaqueStructs.add(m.group(3));
        } else if (FUNCTION_POINTER_TYPEDEF.matcher(d).matches()) {
            Matcher m = FUNCTION_POINTER_TYPEDEF.matcher(d);
            m.matches();
            functionPointerTypedefs.add(m.group(1));
        } else if (d.startsWith("typedef ") && !d.contains("(") && !d.contains("[")) {
            String rest = d.substring("typedef ".length());
            String name = lastIdentifier(rest);
            valueTypedefs.put(name, rest.substring(0, rest.length() - name.length()).trim());
        } else {
            unrecognized.add(d);
        }
    }

    private void addFunction(String d) {
        int open = d.indexOf('(');
        int close = d.lastIndexOf(')');
        if (open < 0 || close < open || !d.substring(close + 1).isBlank()) {
            unrecognized.add("LM_API " + d);
            return;
        }
        String head = d.substring(0, open).trim();
        String name = lastIdentifier(head);
        String returnType = head.substring(0, head.length() - name.length()).trim();
        List<Param> params = new ArrayList<>();
        String list = d.substring(open + 1, close).trim();
        if (!list.equals("void") && !list.isEmpty()) {
            for (String p : splitTopLevel(list, ',')) {
                String param = p.trim();
                if (param.contains("(") || param.contains("[") || param.equals("...")) {
                    unrecognized.add("parameter '" + param + "' of " + name);
                    continue;
                }
                String paramName = lastIdentifier(param);
                params.add(new Param(param.substring(0, param.length() - paramName.length()).trim(), paramName));
            }
        }
        functions.add(new Function(name, returnType, params));
    }

    private void addTypedefWithBody(String d) {
        int open = d.indexOf('{');
        int close = d.lastIndexOf('}');
        String kind = d.substring("typedef ".length(), open).trim().split(" ")[0];
        String name = d.substring(close + 1).trim();
        String body = d.substring(open + 1, close);
        if (!name.matches("[A-Za-z_]\\w*")) {
            unrecognized.add(d);
        } else if (kind.equals("struct")) {
            addStruct(name, body);
        } else if (kind.equals("enum")) {
            addEnum(name, body);
        } else {
            unrecognized.add(d);
        }
    }

    private void addStruct(String name, String body) {
        List<Field> fields = new ArrayList<>();
        for (String member : splitTopLevel(body, ';')) {
            String m = member.trim();
            if (m.isEmpty()) {
                continue;
            }
            if (m.contains("{") || m.contains("(") || m.contains(":") || m.contains(",")) {
                unrecognized.add("member '" + m + "' of struct " + name);
                continue;
            }
            long arrayLength = -1;
            int bracket = m.indexOf('[');
            if (bracket >= 0) {
                String length = m.substring(bracket + 1, m.indexOf(']')).trim();
                if (!length.matches("[0-9]+") || m.indexOf('[', bracket + 1) >= 0) {
                    unrecognized.add("member '" + m + "' of struct " + name);
                    continue;
                }
                arrayLength = Long.parseLong(length);
                m = m.substring(0, bracket).trim();
            }
            String fieldName = lastIdentifier(m);
            fields.add(new Field(m.substring(0, m.length() - fieldName.length()).trim(), fieldName, arrayLength));
        }
        structs.put(name, new Struct(name, fields));
    }

    private void addEnum(String name, String body) {
        enumTypedefs.add(name);
        Long next = 0L;
        for (String item : splitTopLevel(body, ',')) {
            String e = item.trim();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            String constant = (eq < 0 ? e : e.substring(0, eq)).trim();
            Long value = next;
            if (eq >= 0) {
                String literal = e.substring(eq + 1).trim();
                value = literal.matches("-?[0-9]+") ? Long.valueOf(literal)
                        : literal.matches("0[xX][0-9a-fA-F]+") ? Long.valueOf(Long.parseLong(literal.substring(2), 16))
                        : null;
            }
            enumConstants.add(new EnumConstant(constant, value));
            next = value == null ? null : value + 1;
        }
    }

    private static String lastIdentifier(String text) {
        Matcher m = IDENT_AT_END.matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("no identifier at the end of '" + text + "'");
        }
        return m.group(1);
    }

    /** Splits at separators outside (), {} and []. */
    static List<String> splitTopLevel(String text, char separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (c == separator && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    /** Removes block and line comments, leaving string and character literals intact. */
    static String stripComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < source.length() && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated comment");
                }
                out.append(' ');
                i = end + 2;
            } else if (c == '/' && i + 1 < source.length() && source.charAt(i + 1) == '/') {
                while (i < source.length() && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != c) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                out.append(source, i, Math.min(j + 1, source.length()));
                i = j + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
