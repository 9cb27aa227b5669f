package xlstm.backends.metal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A minimal FFM bridge to the Objective-C runtime ({@code /usr/lib/libobjc.A.dylib}): classes, selectors, and
 * {@code objc_msgSend} called with the C signature of each method (on arm64 macOS objc_msgSend must be called
 * through a handle typed like the method; FFM's linker then passes structs such as {@code MTLSize} by the ABI).
 * UNTESTED: written for macOS on Apple silicon, never run (no macOS machine in this project's CI).
 */
final class ObjC {
    static final java.lang.foreign.AddressLayout ID = ValueLayout.ADDRESS;
    static final ValueLayout.OfLong NSUINT = ValueLayout.JAVA_LONG;
    /** {@code MTLSize {NSUInteger width, height, depth}}. */
    static final MemoryLayout MTL_SIZE = MemoryLayout.structLayout(NSUINT.withName("width"),
            NSUINT.withName("height"), NSUINT.withName("depth"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Arena LIBS = Arena.global();
    private static final SymbolLookup OBJC = SymbolLookup.libraryLookup("/usr/lib/libobjc.A.dylib", LIBS);
    private static final MemorySegment MSG_SEND = OBJC.find("objc_msgSend").orElseThrow();
    private static final MethodHandle GET_CLASS = LINKER.downcallHandle(OBJC.find("objc_getClass").orElseThrow(),
            FunctionDescriptor.of(ID, ID));
    private static final MethodHandle SEL = LINKER.downcallHandle(OBJC.find("sel_registerName").orElseThrow(),
            FunctionDescriptor.of(ID, ID));
    private static final Map<FunctionDescriptor, MethodHandle> SENDERS = new ConcurrentHashMap<>();
    private static final Map<String, MemorySegment> SELECTORS = new ConcurrentHashMap<>();

    private ObjC() {}

    static SymbolLookup framework(String name) {
        return SymbolLookup.libraryLookup("/System/Library/Frameworks/" + name + ".framework/" + name, LIBS);
    }

    static MemorySegment cls(String name) {
        try (Arena a = Arena.ofConfined()) {
            return (MemorySegment) GET_CLASS.invokeExact(a.allocateFrom(name));
        } catch (Throwable t) {
            throw new IllegalStateException("objc_getClass(" + name + ")", t);
        }
    }

    static MemorySegment sel(String name) {
        return SELECTORS.computeIfAbsent(name, n -> {
            try (Arena a = Arena.ofConfined()) {
                return (MemorySegment) SEL.invokeExact(a.allocateFrom(n));
            } catch (Throwable t) {
                throw new IllegalStateException("sel_registerName(" + n + ")", t);
            }
        });
    }

    /**
     * {@code [receiver selector args...]} with the method's C types: {@code result} null for void, {@code args}
     * the layouts of the arguments after {@code self} and {@code _cmd}.
     */
    static Object send(MemoryLayout result, MemorySegment receiver, String selector, MemoryLayout[] argLayouts,
            Object... args) {
        MemoryLayout[] all = new MemoryLayout[argLayouts.length + 2];
        all[0] = ID;
        all[1] = ID;
        System.arraycopy(argLayouts, 0, all, 2, argLayouts.length);
        FunctionDescriptor fd = result == null ? FunctionDescriptor.ofVoid(all) : FunctionDescriptor.of(result, all);
        MethodHandle mh = SENDERS.computeIfAbsent(fd, d -> LINKER.downcallHandle(MSG_SEND, d));
        Object[] full = new Object[args.length + 2];
        full[0] = receiver;
        full[1] = sel(selector);
        System.arraycopy(args, 0, full, 2, args.length);
        try {
            return mh.invokeWithArguments(full);
        } catch (Throwable t) {
            throw new IllegalStateException("objc_msgSend " + selector, t);
        }
    }

    /** {@code [receiver selector]} returning an object. */
    static MemorySegment id(MemorySegment receiver, String selector) {
        return (MemorySegment) send(ID, receiver, selector, new MemoryLayout[0]);
    }

    /** An {@code NSString} from a Java string (autoreleased; fine for the short-lived calls here). */
    static MemorySegment nsString(String s, Arena arena) {
        return (MemorySegment) send(ID, cls("NSString"), "stringWithUTF8String:", new MemoryLayout[] {ID},
                arena.allocateFrom(s));
    }

    /** The Java string of an {@code NSString}. */
    static String string(MemorySegment nsString) {
        if (nsString.equals(MemorySegment.NULL)) return "";
        MemorySegment utf8 = id(nsString, "UTF8String");
        return utf8.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
