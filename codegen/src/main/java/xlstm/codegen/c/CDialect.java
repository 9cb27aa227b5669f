package xlstm.codegen.c;

import xlstm.codegen.Target;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What differs between the C-family targets, apart from their StringTemplate group ({@code <id>.stg}: preamble
 * with the qualifier/indexing macros, parameter spelling): the file extension, the resource folder and the
 * intrinsic table (the C spelling of each elementary function the shared helpers and bodies use as
 * {@code xl_<name>(...)}).
 */
public enum CDialect {
    CUDA(Target.CUDA, "cu", cudaLike()),
    HIP(Target.HIP, "hip", cudaLike()),
    OPENCL(Target.OPENCL, "cl", table("exp", "log", "log1p", "expm1", "tanh", "sqrt", "erf", "fabs", "fmax", "fmin")),
    /** Metal has no erf, log1p or expm1: the preamble defines them (A-S 7.1.26; log1p/expm1 by the Kahan trick). */
    METAL(Target.METAL, "metal", table("metal::precise::exp", "metal::precise::log", "xl_log1p_", "xl_expm1_",
            "metal::precise::tanh", "metal::sqrt", "xl_erf_", "metal::fabs", "metal::fmax", "metal::fmin"));

    private final Target target;
    private final String extension;
    private final Map<String, String> intrinsics;

    CDialect(Target target, String extension, Map<String, String> intrinsics) {
        this.target = target;
        this.extension = extension;
        this.intrinsics = intrinsics;
    }

    private static Map<String, String> cudaLike() {
        return table("expf", "logf", "log1pf", "expm1f", "tanhf", "sqrtf", "erff", "fabsf", "fmaxf", "fminf");
    }

    private static Map<String, String> table(String... fns) {
        String[] names = {"exp", "log", "log1p", "expm1", "tanh", "sqrt", "erf", "abs", "fmax", "fmin"};
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) m.put(names[i], fns[i]);
        return m;
    }

    public Target target() { return target; }

    public String id() { return target.id(); }

    /** File extension without the dot: {@code cu, hip, cl, metal}. */
    public String extension() { return extension; }

    /** Resource folder of the emitted files, e.g. {@code xlstm/generated/opencl}. */
    public String folder() { return "xlstm/generated/" + id(); }

    /** xl_ name (without prefix) -> the target's function. */
    public Map<String, String> intrinsics() { return intrinsics; }

    /** Arity of an intrinsic of the table. */
    static int arity(String name) { return name.equals("fmax") || name.equals("fmin") ? 2 : 1; }
}
