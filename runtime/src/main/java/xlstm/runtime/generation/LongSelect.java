package xlstm.runtime.generation;

/** Selection in a long array without sorting it: the sampler's top-k takes its k candidates from 50k ids this way. */
final class LongSelect {
    private LongSelect() {}

    /**
     * Rearranges {@code a[0..n)} so that {@code a[0..k)} hold its k smallest values, in no particular order
     * (quickselect: Hoare partitions around the median of three, expected time linear in n).
     */
    static void smallestFirst(long[] a, int n, int k) {
        if (k <= 0 || k >= n) return;
        int lo = 0, hi = n - 1, want = k - 1; // a[want] ends as the k-th smallest, nothing larger before it
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long p = medianOf3(a[lo], a[mid], a[hi]);
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < p) i++;
                while (a[j] > p) j--;
                if (i <= j) {
                    long t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            // a[lo..j] <= p <= a[i..hi]; between them (if anything) equals p
            if (want <= j) hi = j;
            else if (want >= i) lo = i;
            else return;
        }
    }

    private static long medianOf3(long x, long y, long z) {
        return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    }
}
