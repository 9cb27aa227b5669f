package xlstm.codegen.java;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;

import javax.lang.model.element.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bridges the text written by {@link Code}/{@link Helpers} and JavaPoet: simple names of the library types the
 * generated code uses are turned into {@code $T} references so that JavaPoet writes the imports.
 */
final class Poet {
    private Poet() {}

    static final ClassName FLOAT_VECTOR = ClassName.get("jdk.incubator.vector", "FloatVector");
    static final ClassName VECTOR_SPECIES = ClassName.get("jdk.incubator.vector", "VectorSpecies");
    static final ClassName VECTOR_OPERATORS = ClassName.get("jdk.incubator.vector", "VectorOperators");
    static final ClassName MEMORY_SEGMENT = ClassName.get("java.lang.foreign", "MemorySegment");
    static final ClassName VALUE_LAYOUT = ClassName.get("java.lang.foreign", "ValueLayout");
    static final ClassName ARENA = ClassName.get("java.lang.foreign", "Arena");
    static final ClassName BYTE_ORDER = ClassName.get("java.nio", "ByteOrder");
    static final ClassName CPU_PARALLEL = ClassName.get("xlstm.backends.cpu", "CpuParallel");
    static final ClassName KERNEL_MODE = ClassName.get("xlstm.backends.cpu", "KernelMode");
    static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
    static final ClassName INT_CONSUMER = ClassName.get("java.util.function", "IntConsumer");
    static final ClassName PARALLEL_TASK = ClassName.get("xlstm.backends.cpu", "ParallelTask");

    private static final Map<String, ClassName> TYPES = mapOf(
            "FloatVector", FLOAT_VECTOR, "VectorSpecies", VECTOR_SPECIES, "VectorOperators", VECTOR_OPERATORS,
            "MemorySegment", MEMORY_SEGMENT, "ValueLayout", VALUE_LAYOUT, "Arena", ARENA, "ByteOrder", BYTE_ORDER,
            "CpuParallel", CPU_PARALLEL, "KernelMode", KERNEL_MODE, "Arrays", ARRAYS, "IntConsumer", INT_CONSUMER,
            "ParallelTask", PARALLEL_TASK);
    private static final Pattern TYPE_WORD = Pattern.compile("(?<![\\w.])(" + String.join("|", TYPES.keySet()) + ")\\b");

    private static Map<String, ClassName> mapOf(Object... kv) {
        Map<String, ClassName> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (ClassName) kv[i + 1]);
        return Map.copyOf(m);
    }

    /** Java text (without {@code $} placeholders) to a CodeBlock whose library types are {@code $T}. */
    static CodeBlock code(String text) {
        String escaped = text.replace("$", "$$");
        Matcher m = TYPE_WORD.matcher(escaped);
        StringBuilder fmt = new StringBuilder();
        List<Object> args = new ArrayList<>();
        while (m.find()) {
            m.appendReplacement(fmt, "\\$T");
            args.add(TYPES.get(m.group(1)));
        }
        m.appendTail(fmt);
        return CodeBlock.of(fmt.toString(), args.toArray());
    }

    static TypeName type(String s) {
        s = s.trim();
        if (s.endsWith("[]")) return ArrayTypeName.of(type(s.substring(0, s.length() - 2)));
        return switch (s) {
            case "float" -> TypeName.FLOAT;
            case "int" -> TypeName.INT;
            case "long" -> TypeName.LONG;
            case "boolean" -> TypeName.BOOLEAN;
            case "void" -> TypeName.VOID;
            case "String" -> ClassName.get(String.class);
            case "Thread" -> ClassName.get(Thread.class);
            default -> {
                ClassName c = TYPES.get(s);
                if (c == null) throw new IllegalArgumentException("unknown type " + s);
                yield c;
            }
        };
    }

    private static final Pattern METHOD = Pattern.compile(
            "(?s)(?:/\\*\\*(.*?)\\*/\\s*)?private static (\\S+) (\\w+)\\(([^)]*)\\) \\{(.*)}\\s*");

    /** Parses a helper written as Java text ({@code private static T name(params) { body }}) into a MethodSpec. */
    static MethodSpec method(String src) {
        Matcher m = METHOD.matcher(src);
        if (!m.matches()) throw new IllegalArgumentException("cannot parse helper: " + src);
        MethodSpec.Builder b = MethodSpec.methodBuilder(m.group(3)).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(type(m.group(2)));
        if (m.group(1) != null) b.addJavadoc(m.group(1).trim());
        String params = m.group(4).trim();
        if (!params.isEmpty()) {
            for (String p : params.split(",")) {
                p = p.trim();
                int sp = p.lastIndexOf(' ');
                String t = p.substring(0, sp), n = p.substring(sp + 1);
                if (t.endsWith("...")) {
                    b.addParameter(ParameterSpec.builder(ArrayTypeName.of(type(t.substring(0, t.length() - 3))), n).build());
                    b.varargs(true);
                } else {
                    b.addParameter(type(t), n);
                }
            }
        }
        String body = m.group(5).strip();
        // re-indent: strip the 4-space indentation of multi-line bodies
        StringBuilder sb = new StringBuilder();
        for (String line : body.split("\n")) sb.append(line.startsWith("    ") ? line.substring(4) : line.strip()).append('\n');
        b.addCode(code(sb.toString()));
        return b.build();
    }

    /** A public final class with the constants every emitted body uses and a private constructor. */
    static TypeSpec.Builder kernelClass(String name, String doc) {
        TypeSpec.Builder cls = TypeSpec.classBuilder(name).addModifiers(Modifier.PUBLIC, Modifier.FINAL).addJavadoc(doc);
        cls.addField(FieldSpec.builder(ParameterizedTypeName.get(Poet.VECTOR_SPECIES, ClassName.get(Float.class)), "SP",
                Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL).initializer("$T.SPECIES_PREFERRED", Poet.FLOAT_VECTOR).build());
        cls.addField(FieldSpec.builder(TypeName.INT, "VL", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("SP.length()").build());
        cls.addField(FieldSpec.builder(Poet.VALUE_LAYOUT.nestedClass("OfFloat"), "F32", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.JAVA_FLOAT_UNALIGNED", Poet.VALUE_LAYOUT).build());
        cls.addField(FieldSpec.builder(Poet.BYTE_ORDER, "BO", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.nativeOrder()", Poet.BYTE_ORDER).build());
        cls.addField(FieldSpec.builder(Thread.class, "OTHER_THREAD", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("A thread that owns nothing: segments it may access may be handed to the pool's threads.\n")
                .initializer("new Thread(() -> { })").build());
        cls.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
        return cls;
    }
}
