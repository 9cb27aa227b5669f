package xlstm.backends.metal;

import java.util.Locale;
import xlstm.backends.DeviceStatus;

/**
 * The Metal backend's probe. On Linux (and anything but macOS) it says "Metal needs macOS". On macOS it would find the
 * default device through {@link MetalDevice} (FFM to the Objective-C runtime and Metal.framework; UNTESTED) and still
 * report the backend as not wired to the models yet.
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
            return DeviceStatus.unavailable("metal", name, "Metal backend not wired to the models yet (untested macOS path"
                    + " in xlstm.backends.metal.MetalDevice)");
        } catch (RuntimeException | LinkageError e) {
            return DeviceStatus.unavailable("metal", "", "Metal: no device (" + e.getMessage() + ")");
        }
    }
}
