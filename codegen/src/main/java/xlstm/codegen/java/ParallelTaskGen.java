package xlstm.codegen.java;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.List;
import javax.lang.model.element.Modifier;
import xlstm.codegen.java.JavaVectorEmitter.Arg;

/**
 * The parallel body of an implementation method as a nested {@code ParallelTask} class instead of a capturing
 * lambda: the method's arguments become fields set per call on a task kept per calling thread, so a call (one per
 * layer and token in decode) allocates nothing. The body's text is unchanged: the fields have the arguments' names.
 *
 * @param method the implementation method, e.g. {@code sequenceV}
 * @param args   its arguments without {@code _par} (all the body may read besides its own locals)
 * @param index  the body's index variable, e.g. {@code _bh}
 */
record ParallelTaskGen(String method, List<Arg> args, String index) {
    String className() {
        return Character.toUpperCase(method.charAt(0)) + method.substring(1) + "Task";
    }

    /** The statements that run the body for indices [0, n): on the pool when {@code _par}, with the given grain. */
    Code call(String n, String grain) {
        Code c = new Code();
        String cls = className();
        c.line("final " + cls + " _task = ParallelTask.take(" + cls + ".PER_THREAD, " + cls + "::new);");
        for (Arg a : args) c.line("_task." + a.name() + " = " + a.name() + ";");
        c.line("if (_par) _task.forEach(" + n + ", " + grain + ");");
        c.line("else _task.inline(" + n + ");");
        return c;
    }

    /** The nested class whose {@code accept} is {@code body}. */
    TypeSpec type(Code body) {
        ClassName self = ClassName.get("", className());
        TypeSpec.Builder t = TypeSpec.classBuilder(className())
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL).superclass(Poet.PARALLEL_TASK)
                .addJavadoc("{@code $L}'s parallel body with the call's arguments, reused by the calling thread.\n", method);
        t.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(ThreadLocal.class), self), "PER_THREAD",
                Modifier.STATIC, Modifier.FINAL).initializer("new ThreadLocal<>()").build());
        MethodSpec.Builder release = MethodSpec.methodBuilder("release").addAnnotation(Override.class)
                .addModifiers(Modifier.PROTECTED);
        for (Arg a : args) {
            t.addField(Poet.type(a.type()), a.name());
            if (!(Poet.type(a.type()) instanceof TypeName tn && tn.isPrimitive())) release.addStatement("$L = null", a.name());
        }
        t.addMethod(MethodSpec.methodBuilder("accept").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addParameter(TypeName.INT, index).addCode(Poet.code(body.toString())).build());
        t.addMethod(release.build());
        return t.build();
    }
}
