package xlstm.runtime.backend;

import xlstm.backends.opencl.OpenCl;

/**
 * The {@code opencl} backend: each call uploads its tensors to the device, runs the generated OpenCL C kernel of
 * that entry point (classpath {@code xlstm/generated/opencl/<entry>.cl}, built once per context with
 * {@code -cl-std=CL1.2}, no fast math), and copies the states and outputs back. Launch geometry and scratch size
 * come from the folder's {@code index.tsv} (docs/glue-contract.md, "C-family kernels"); the launching is
 * {@link OpenClLauncher}'s, which also runs the kernels of users' own cells (their own folder).
 *
 * <p>Work-group size: {@code -Dxlstm.opencl.local=N} (default 64), capped by what the kernel allows on the device.
 * Device buffers are pooled by size and reused. Calls are serialised (one queue).
 */
public final class OpenClKernels extends IndexedKernels {
    /** Where the emitter puts the OpenCL sources of the project's own kernels (docs/glue-contract.md). */
    public static final String FOLDER = "xlstm/generated/opencl";

    private static volatile KernelIndex index;

    private final OpenClLauncher launcher;

    private OpenClKernels(OpenClLauncher launcher) {
        this.launcher = launcher;
    }

    private static OpenClKernels shared;

    /** The backend on {@link OpenCl#context()}; throws {@link IllegalStateException} with the reason when unavailable. */
    public static synchronized OpenClKernels get() {
        if (shared == null) {
            String why = unavailableReason();
            if (why != null) throw new IllegalStateException(why);
            shared = new OpenClKernels(OpenClLauncher.forFolder(FOLDER));
        }
        return shared;
    }

    /** The kernel index of this build, or null when the build has no OpenCL kernels. */
    static KernelIndex index() {
        KernelIndex i = index;
        if (i == null) {
            i = KernelIndex.load(FOLDER);
            index = i;
        }
        return i;
    }

    /** Why the backend cannot run here (no OpenCL device, or no generated OpenCL kernels), or null. */
    static String unavailableReason() {
        OpenCl.Probe p = OpenCl.probe();
        if (!p.available()) return p.problem();
        KernelIndex i = index();
        if (i == null || i.size() == 0) {
            return "this build has no OpenCL kernels (" + FOLDER + "/index.tsv is not on the class path)";
        }
        return null;
    }

    @Override public String name() { return "opencl"; }

    @Override public String device() { return launcher.device(); }

    @Override public String toString() { return "opencl"; }

    /** Runs the project's kernel {@code entry} with the Java entry point's arguments ({@link OpenClLauncher#call}). */
    @Override
    void call(String entry, Object... args) {
        launcher.call(entry, args);
    }
}
