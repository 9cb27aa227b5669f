package xlstm.backends;

/**
 * What one backend's probe found on this machine: whether kernels can run there, the device it would use (empty
 * when none), and in {@code reason} why it cannot run (or a note when it can).
 *
 * @param backend   the backend's name ({@code cuda}, {@code hip}, {@code metal}, {@code opencl}, {@code cpu})
 * @param available whether kernels run on it in this build on this machine
 * @param gpu       whether the device is a GPU (decides the ranking of OpenCL)
 * @param device    the device, in words ("" when there is none)
 * @param reason    why it is unavailable; for an available backend a short note or ""
 */
public record DeviceStatus(String backend, boolean available, boolean gpu, String device, String reason) {
    public static DeviceStatus unavailable(String backend, String device, String reason) {
        return new DeviceStatus(backend, false, false, device, reason);
    }
}
