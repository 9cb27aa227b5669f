package xlstm.backends.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import xlstm.backends.Flags;

/**
 * A persistent pool of worker threads with a low-latency hand-off, for the many short parallel operations of a
 * decode step (a few microseconds each: a fork/join task per operation costs as much as the work). The caller posts
 * one job of {@code n} chunks and runs chunks itself; idle workers spin for a while ({@code -Dxlstm.spin.us},
 * default 200) before they park, so back-to-back operations find them awake. Posting allocates nothing.
 *
 * <p>Claims go through one ticket, {@code epoch (16 bits) | n (24) | next (24)}: a worker claims chunk {@code next}
 * of the posted epoch with a CAS, so a worker that wakes late can never run a chunk of a job that has finished; the
 * job's body is read only after a successful claim, when the job cannot finish before that chunk is reported done.
 * With {@code -Dxlstm.pool.xadd=true} a claim is one atomic add instead (no retries when many workers claim at
 * once): the ticket it returns names the chunk and its job, and an add past the end claims nothing; every thread adds
 * past the end at most once per job (it looks first), so {@code next} stays below {@code n + threads}.
 */
final class SpinPool {
    private static final int BITS = 24;
    private static final long MASK = (1L << BITS) - 1;
    static final int MAX_CHUNKS = (int) MASK;
    private static final long SPIN_NANOS = Flags.intFlag("xlstm.spin.us", 200, 0) * 1000L;
    private static final boolean XADD = Flags.boolFlag("xlstm.pool.xadd", false);

    /** Claims by one atomic add rather than a compare-and-set loop. */
    private final boolean xadd;

    private final Thread[] workers;
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicInteger parked = new AtomicInteger();
    private volatile IntConsumer body;
    /** Indices per chunk and the index count of the posted job: chunk c runs body(i) for i in [c*size, min(total, (c+1)*size)). */
    private volatile int size, total;
    private volatile Throwable error;
    private volatile boolean shutdown;
    /** The thread whose job is running; a nested post from it runs inline. */
    private volatile Thread owner;
    /** With {@link DecodeProfile} on: the post's time, and the first worker claim's (0: none yet). */
    private volatile long postedAt;
    private final AtomicLong firstClaimAt = new AtomicLong();
    /** Failed claim attempts (compare-and-set mode) while {@link DecodeProfile} is on. */
    final AtomicLong casFailures = new AtomicLong();

    SpinPool(int workerCount) {
        this(workerCount, XADD);
    }

    SpinPool(int workerCount, boolean xadd) {
        this.xadd = xadd;
        workers = new Thread[workerCount];
        for (int w = 0; w < workerCount; w++) {
            Thread t = new Worker(this::work, "xlstm-cpu-" + (w + 1));
            t.setDaemon(true);
            workers[w] = t;
            t.start();
        }
    }

    /** True on a pool thread, or on a thread that is running a job of this pool: a nested job must run inline. */
    boolean insideJob() {
        Thread t = Thread.currentThread();
        return t == owner || t instanceof Worker;
    }

    /** Runs body(c) for every chunk c in [0, n) on the pool and the calling thread; returns when all are done. */
    void run(int n, IntConsumer job) {
        run(n, 1, n, job);
    }

    /**
     * Runs body(i) for i in [0, total), in n chunks of {@code chunkSize} indices, on the pool and the calling thread;
     * the range is split here rather than in a wrapping lambda so that a call allocates nothing.
     */
    synchronized void run(int n, int chunkSize, int total, IntConsumer job) {
        // room above n for the adds past the end (one per thread at most)
        if (n > MAX_CHUNKS - workers.length - 1) throw new IllegalArgumentException("too many chunks: " + n);
        owner = Thread.currentThread();
        try {
            body = job;
            size = chunkSize;
            this.total = total;
            error = null;
            done.set(0);
            boolean profile = DecodeProfile.on;
            if (profile) {
                firstClaimAt.set(0);
                postedAt = System.nanoTime();
                if (parked.get() > 0) DecodeProfile.postsFoundParked++;
            } else {
                postedAt = 0;
            }
            long epoch = ((ticket.get() >>> (2 * BITS)) + 1) & 0xffff;
            ticket.set((epoch << (2 * BITS)) | ((long) n << BITS));
            if (parked.get() > 0) for (Thread w : workers) LockSupport.unpark(w);
            int mine = 0;
            while (claimAndRun()) mine++;
            long waitFrom = profile ? System.nanoTime() : 0;
            // a worker still on its chunk: spin briefly, then yield (on a busy machine it may be waiting for a core)
            long waitStart = 0;
            for (int spins = 0; done.get() < n; spins++) {
                if (spins < 1024) {
                    Thread.onSpinWait();
                } else {
                    if (waitStart == 0) waitStart = System.nanoTime();
                    if (System.nanoTime() - waitStart < 20_000) Thread.onSpinWait(); else Thread.yield();
                }
            }
            if (profile) {
                long now = System.nanoTime(), first = firstClaimAt.get();
                DecodeProfile.postCount++;
                DecodeProfile.chunkCount += n;
                DecodeProfile.callerChunks += mine;
                DecodeProfile.waitNanos += now - waitFrom;
                if (first != 0) {
                    DecodeProfile.wakeNanos += first - postedAt;
                    DecodeProfile.wakeSamples++;
                }
            }
            Throwable e = error;
            if (e != null) {
                error = null;
                if (e instanceof RuntimeException re) throw re;
                if (e instanceof Error er) throw er;
                throw new RuntimeException(e);
            }
        } finally {
            body = null;
            owner = null;
        }
    }

    /** Claims one chunk of the posted job and runs it; false when none is left. */
    private boolean claimAndRun() {
        while (true) {
            long t = ticket.get();
            int n = (int) ((t >>> BITS) & MASK), next = (int) (t & MASK);
            if (next >= n) return false;
            if (xadd) {
                t = ticket.getAndIncrement();
                n = (int) ((t >>> BITS) & MASK);
                next = (int) (t & MASK);
                if (next >= n) return false;
            } else if (!ticket.compareAndSet(t, t + 1)) {
                if (postedAt != 0) casFailures.incrementAndGet();
                continue;
            }
            if (postedAt != 0 && firstClaimAt.get() == 0 && owner != Thread.currentThread()) {
                firstClaimAt.compareAndSet(0, System.nanoTime());
            }
            try {
                IntConsumer b = body;
                int lo = next * size, hi = Math.min(total, lo + size);
                for (int i = lo; i < hi; i++) b.accept(i);
            } catch (Throwable e) {
                error = e;
            } finally {
                done.incrementAndGet();
            }
            return true;
        }
    }

    private boolean available() {
        long t = ticket.get();
        return (t & MASK) < ((t >>> BITS) & MASK);
    }

    private void work() {
        long idleSince = System.nanoTime();
        int spins = 0;
        while (!shutdown) {
            if (claimAndRun()) {
                spins = 0;
                idleSince = System.nanoTime();
                continue;
            }
            if ((++spins & 255) != 0 || System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
                continue;
            }
            parked.incrementAndGet();
            if (!available()) LockSupport.park(this);
            parked.decrementAndGet();
            idleSince = System.nanoTime();
        }
    }

    /** Marker type of the pool's threads. */
    private static final class Worker extends Thread {
        Worker(Runnable r, String name) { super(r, name); }
    }
}
