package xlstm.backends.metal;

import java.util.Locale;
import xlstm.backends.DeviceStatus;

/**
 * The Metal backend's probe. On Linux (and anything but macOS) it says "Metal needs macOS". On macOS it finds the
 * default device through {@link MetalDevice} (FFM to the Objective-C runtime and Metal.framework) and reports it
 * available: the kernels then run through {@code xlstm.runtime.backend.MetalKernels}. The macOS path is UNTESTED
 * (this project has no macOS machine).
 */
public final class Metal {
    private Metal() {}

    public static boolean isMacOs() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac");
    }

    public static DeviceStatus probe() {
        if (!isMacOs()) {
            return DeviceStatus.unavailable("metal", "", "Metal needs macOS (this is " + System.getProperty("os.name") + ")");
        }
        try {
            String name = MetalDevice.systemDefault().name();
            return new DeviceStatus("metal", true, true, name, "generated Metal kernels, compiled at run time by"
                    + " newLibraryWithSource (untested macOS path)");
        } catch (RuntimeException | LinkageError e) {
            return DeviceStatus.unavailable("metal", "", "Metal: no device (" + e.getMessage() + ")");
        }
    }
}
