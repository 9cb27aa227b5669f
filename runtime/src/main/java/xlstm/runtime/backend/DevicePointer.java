package xlstm.runtime.backend;

/** A tensor argument of a device-resident kernel call ({@link ResidentKernels}): an address in device memory. */
public record DevicePointer(long address) {}
