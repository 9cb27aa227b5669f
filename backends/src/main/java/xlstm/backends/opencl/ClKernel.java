package xlstm.backends.opencl;

import static org.lwjgl.opencl.CL10.*;

/**
 * A kernel entry with its arguments set one by one ({@code int}, {@code float}, buffers, local scratch). The
 * arguments stay set between launches; a kernel object is not safe to set from two threads at once.
 */
public final class ClKernel {
    private final String name;
    private final long handle;

    ClKernel(String name, long handle) {
        this.name = name;
        this.handle = handle;
    }

    public String name() { return name; }

    long handle() { return handle; }

    public ClKernel arg(int index, ClBuffer buffer) {
        OpenClException.check(clSetKernelArg1p(handle, index, buffer.handle()), what(index, "cl_mem"));
        return this;
    }

    public ClKernel arg(int index, int value) {
        OpenClException.check(clSetKernelArg1i(handle, index, value), what(index, "int " + value));
        return this;
    }

    public ClKernel arg(int index, float value) {
        OpenClException.check(clSetKernelArg1f(handle, index, value), what(index, "float " + value));
        return this;
    }

    /** A {@code __local} argument of {@code bytes} bytes. */
    public ClKernel argLocal(int index, long bytes) {
        OpenClException.check(nclSetKernelArg(handle, index, Math.max(1, bytes), 0L), what(index, "__local " + bytes + " bytes"));
        return this;
    }

    /** {@code CL_KERNEL_WORK_GROUP_SIZE}: the largest work-group this kernel can be launched with on {@code device}. */
    public long maxWorkGroupSize(OpenCl.Device device) {
        try (org.lwjgl.system.MemoryStack stack = org.lwjgl.system.MemoryStack.stackPush()) {
            org.lwjgl.PointerBuffer v = stack.mallocPointer(1);
            OpenClException.check(clGetKernelWorkGroupInfo(handle, device.id(), CL_KERNEL_WORK_GROUP_SIZE, v, null),
                    "clGetKernelWorkGroupInfo(" + name + ")");
            return v.get(0);
        }
    }

    private String what(int index, String value) {
        return "clSetKernelArg(" + name + ", arg " + index + " = " + value + ")";
    }
}
