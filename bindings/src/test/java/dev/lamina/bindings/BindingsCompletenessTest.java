package dev.lamina.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compares the committed jextract output with native/include/lamina.h, so that changing the header
 * without running bindings/generate.sh fails the build — without needing jextract or liblamina.
 * Functions are only looked up reflectively, never called, so no native library is loaded
 * (the generated classes resolve symbols lazily, on a function's first call).
 */
class BindingsCompletenessTest {

    private static final String PACKAGE = "dev.lamina.bindings";
    private static final String REGENERATE =
            " — regenerate the bindings: JEXTRACT=/path/to/jextract bindings/generate.sh (see bindings/README.md)";

    private static Path headerPath;
    private static LaminaHeader header;

    @BeforeAll
    static void readHeader() throws IOException {
        headerPath = findHeader();
        header = LaminaHeader.parse(Files.readString(headerPath));
    }

    @Test
    void headerIsFullyUnderstood() {
        assertTrue(header.unrecognized.isEmpty(),
                "BindingsCompletenessTest cannot check these declarations of " + headerPath
                        + "; teach LaminaHeader about them: " + header.unrecognized);
        // Guards against a parser that silently finds nothing and so checks nothing.
        assertFalse(header.functions.isEmpty(), "no LM_API function found in " + headerPath);
        assertFalse(header.structs.isEmpty(), "no struct typedef found in " + headerPath);
    }

    @Test
    void everyFunctionHasAMethodWithTheHeadersSignature() {
        List<String> problems = new ArrayList<>();
        for (LaminaHeader.Function function : header.functions) {
            List<Method> methods = publicStaticMethods(lamina_h.class, function.name());
            if (methods.size() != 1) {
                problems.add(function.name() + ": expected one lamina_h." + function.name()
                        + " method, found " + methods.size());
                continue;
            }
            Method method = methods.get(0);
            List<Class<?>> expected = new ArrayList<>();
            if (isStructByValue(function.returnType())) {
                expected.add(SegmentAllocator.class); // jextract's allocator for the returned struct
            }
            for (LaminaHeader.Param p : function.params()) {
                expected.add(javaType(p.type()));
            }
            List<Class<?>> actual = Arrays.asList(method.getParameterTypes());
            if (!expected.equals(actual)) {
                problems.add(function.name() + ": parameters " + names(actual) + ", header says " + names(expected));
            }
            Class<?> expectedReturn = javaType(function.returnType());
            if (method.getReturnType() != expectedReturn) {
                problems.add(function.name() + ": returns " + method.getReturnType().getSimpleName()
                        + ", header says " + expectedReturn.getSimpleName());
            }
        }
        assertTrue(problems.isEmpty(), problems + REGENERATE);
    }

    @Test
    void everyStructHasAClassWithTheHeadersFields() throws ReflectiveOperationException {
        List<String> problems = new ArrayList<>();
        for (LaminaHeader.Struct struct : header.structs.values()) {
            Class<?> type = generatedClass(struct.name());
            if (type == null) {
                problems.add("struct " + struct.name() + ": no class " + PACKAGE + "." + struct.name());
                continue;
            }
            // layout() only builds a MemoryLayout: pure Java, no native code involved.
            GroupLayout layout = (GroupLayout) type.getMethod("layout").invoke(null);
            List<MemoryLayout> members = layout.memberLayouts().stream()
                    .filter(m -> !(m instanceof PaddingLayout)).toList();
            List<String> memberNames = members.stream().map(m -> m.name().orElse("?")).toList();
            List<String> fieldNames = struct.fields().stream().map(LaminaHeader.Field::name).toList();
            if (!memberNames.equals(fieldNames)) {
                problems.add("struct " + struct.name() + ": generated fields " + memberNames + ", header says " + fieldNames);
                continue;
            }
            for (int i = 0; i < members.size(); i++) {
                String mismatch = layoutMismatch(members.get(i), struct.fields().get(i));
                if (mismatch != null) {
                    problems.add("struct " + struct.name() + "." + struct.fields().get(i).name() + ": " + mismatch);
                }
                if (publicStaticMethods(type, struct.fields().get(i).name()).isEmpty()) {
                    problems.add("struct " + struct.name() + ": no accessor " + struct.fields().get(i).name());
                }
            }
        }
        assertTrue(problems.isEmpty(), problems + REGENERATE);
    }

    @Test
    void everyEnumConstantHasAMethodWithTheHeadersValue() throws ReflectiveOperationException {
        List<String> problems = new ArrayList<>();
        for (LaminaHeader.EnumConstant constant : header.enumConstants) {
            List<Method> methods = publicStaticMethods(lamina_h.class, constant.name());
            if (methods.size() != 1 || methods.get(0).getParameterCount() != 0) {
                problems.add(constant.name() + ": no lamina_h." + constant.name() + "() method");
                continue;
            }
            if (constant.value() != null) {
                long actual = ((Number) methods.get(0).invoke(null)).longValue();
                if (actual != constant.value()) {
                    problems.add(constant.name() + " = " + actual + ", header says " + constant.value());
                }
            }
        }
        for (String macro : header.literalMacros) {
            if (macro.startsWith("LM_") && publicStaticMethods(lamina_h.class, macro).isEmpty()) {
                problems.add("#define " + macro + ": no lamina_h." + macro + "() method");
            }
        }
        assertTrue(problems.isEmpty(), problems + REGENERATE);
    }

    @Test
    void everyTypedefHasItsBinding() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> typedef : header.valueTypedefs.entrySet()) {
            try {
                Field field = lamina_h.class.getField(typedef.getKey());
                if (ValueLayout.class.isAssignableFrom(field.getType())) {
                    Class<?> carrier = ((ValueLayout) field.get(null)).carrier();
                    if (carrier != javaType(typedef.getKey())) {
                        problems.add("typedef " + typedef.getKey() + ": layout carries " + carrier.getSimpleName()
                                + ", header says " + typedef.getValue());
                    }
                }
            } catch (NoSuchFieldException | IllegalAccessException e) {
                problems.add("typedef " + typedef.getKey() + ": no field lamina_h." + typedef.getKey());
            }
        }
        for (String callback : header.functionPointerTypedefs) {
            if (generatedClass(callback) == null) {
                problems.add("typedef " + callback + ": no class " + PACKAGE + "." + callback);
            }
        }
        assertTrue(problems.isEmpty(), problems + REGENERATE);
    }

    /** The digest NativeLibrary checks the loaded library against is the current header's. */
    @Test
    void headerDigestIsTheCurrentHeaders() throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(headerPath));
        assertEquals(java.util.HexFormat.of().formatHex(digest), LaminaHeaderDigest.SHA256,
                "LaminaHeaderDigest is stale" + REGENERATE);
    }

    /** A function, constant or struct removed from the header must not live on in the bindings. */
    @Test
    void bindingsDeclareNothingTheHeaderLacks() throws IOException, URISyntaxException {
        Set<String> known = new HashSet<>();
        header.functions.forEach(f -> known.add(f.name()));
        header.enumConstants.forEach(c -> known.add(c.name()));
        known.addAll(header.macroNames);
        Set<String> stale = new TreeSet<>();
        for (Method method : lamina_h.class.getDeclaredMethods()) {
            if (isPublicStatic(method.getModifiers()) && !method.getName().contains("$")
                    && !known.contains(method.getName())) {
                stale.add("lamina_h." + method.getName() + "()");
            }
        }
        Set<String> classes = new HashSet<>(Set.of("lamina_h", "lamina_h$shared", "LaminaHeaderDigest"));
        classes.addAll(header.structs.keySet());
        classes.addAll(header.functionPointerTypedefs);
        for (String name : topLevelGeneratedClassNames()) {
            if (!classes.contains(name)) {
                stale.add("class " + name);
            }
        }
        assertTrue(stale.isEmpty(), "generated but not declared in " + headerPath + ": " + stale + REGENERATE);
    }

    // ---- C type -> what jextract generates ------------------------------------------------

    private static boolean isStructByValue(String cType) {
        return !cType.contains("*") && header.structs.containsKey(baseType(cType));
    }

    /** Data pointers and function-pointer typedefs (callbacks) are both addresses. */
    private static boolean isPointer(String cType) {
        return cType.contains("*") || header.functionPointerTypedefs.contains(baseType(cType));
    }

    private static String baseType(String cType) {
        return cType.replaceAll("\\b(const|volatile)\\b", " ").replaceAll("\\s+", " ").trim();
    }

    /** The Java type jextract (on x86-64/AArch64 Linux, LP64) uses for a C type. */
    private static Class<?> javaType(String cType) {
        if (isPointer(cType)) {
            return MemorySegment.class;
        }
        String t = baseType(cType);
        if (header.structs.containsKey(t)) {
            return MemorySegment.class;
        }
        if (header.enumTypedefs.contains(t) || t.startsWith("enum ")) {
            return int.class;
        }
        if (header.valueTypedefs.containsKey(t)) {
            return javaType(header.valueTypedefs.get(t));
        }
        return switch (t) {
            case "void" -> void.class;
            case "bool", "_Bool" -> boolean.class;
            case "char", "signed char", "unsigned char", "int8_t", "uint8_t" -> byte.class;
            case "short", "unsigned short", "int16_t", "uint16_t" -> short.class;
            case "int", "unsigned", "unsigned int", "int32_t", "uint32_t" -> int.class;
            case "long", "unsigned long", "long long", "unsigned long long",
                 "int64_t", "uint64_t", "size_t", "ssize_t", "intptr_t", "uintptr_t", "ptrdiff_t" -> long.class;
            case "float" -> float.class;
            case "double" -> double.class;
            default -> throw new AssertionError("BindingsCompletenessTest does not know how jextract maps the C type '"
                    + cType + "' of " + headerPath + "; add it to javaType()");
        };
    }

    private static String layoutMismatch(MemoryLayout member, LaminaHeader.Field field) {
        MemoryLayout element = member;
        if (field.arrayLength() >= 0) {
            if (!(member instanceof SequenceLayout seq) || seq.elementCount() != field.arrayLength()) {
                return "generated " + member + ", header says [" + field.arrayLength() + "]";
            }
            element = seq.elementLayout();
        }
        if (isPointer(field.type())) {
            return element instanceof AddressLayout ? null : "generated " + element + ", header says a pointer";
        }
        if (isStructByValue(field.type())) {
            return element instanceof GroupLayout g && g.name().equals(java.util.Optional.of(baseType(field.type())))
                    ? null : "generated " + element + ", header says " + field.type();
        }
        Class<?> expected = javaType(field.type());
        if (!(element instanceof ValueLayout value) || value.carrier() != expected) {
            return "generated " + element + ", header says " + field.type() + " (" + expected.getSimpleName() + ")";
        }
        return null;
    }

    // ---- reflection over the generated package ---------------------------------------------

    private static List<Method> publicStaticMethods(Class<?> type, String name) {
        return Arrays.stream(type.getDeclaredMethods())
                .filter(m -> m.getName().equals(name) && isPublicStatic(m.getModifiers()))
                .toList();
    }

    private static boolean isPublicStatic(int modifiers) {
        return Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers);
    }

    private static Class<?> generatedClass(String simpleName) {
        try {
            return Class.forName(PACKAGE + "." + simpleName, false, lamina_h.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    /** Simple names of the non-nested classes compiled from src/main/java/dev/lamina/bindings. */
    private static Set<String> topLevelGeneratedClassNames() throws IOException, URISyntaxException {
        Path classes = Path.of(lamina_h.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path packageDir = classes.resolve(PACKAGE.replace('.', '/'));
        assertTrue(Files.isDirectory(packageDir), "generated classes expected in directory " + packageDir);
        try (Stream<Path> files = Files.list(packageDir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".class"))
                    .map(f -> f.substring(0, f.length() - ".class".length()))
                    .filter(n -> {
                        Class<?> c = generatedClass(n);
                        return c != null && c.getEnclosingClass() == null;
                    })
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String names(List<Class<?>> types) {
        return types.stream().map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")"));
    }

    /** Surefire passes the header path as lamina.header; from an IDE, walk up from the working dir. */
    private static Path findHeader() {
        String configured = System.getProperty("lamina.header");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isRegularFile(path)) {
                fail("lamina.header=" + configured + " is not a file");
            }
            return path;
        }
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("native/include/lamina.h");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return fail("native/include/lamina.h not found above " + System.getProperty("user.dir")
                + "; set -Dlamina.header=/path/to/lamina.h");
    }
}
