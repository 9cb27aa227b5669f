package xlstm.backends.cpu;

import xlstm.backends.Flags;

/**
 * The switch between the Vector API kernels and their scalar twins. Every generated vector kernel has a
 * scalar twin; forcing scalar mode is how tests and users compare them or work around a JIT problem.
 * Set with {@code -Dxlstm.kernels.scalar=true} or {@link #forceScalar(boolean)}.
 */
public final class KernelMode {
    private static volatile boolean scalar = Flags.boolFlag("xlstm.kernels.scalar", false);

    private KernelMode() {}

    /** True when kernels must take their scalar path. */
    public static boolean scalar() { return scalar; }

    public static void forceScalar(boolean on) { scalar = on; }
}
