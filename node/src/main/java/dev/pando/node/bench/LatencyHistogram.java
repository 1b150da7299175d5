package dev.pando.node.bench;

/**
 * A log-linear histogram of non-negative longs (latencies in nanoseconds), in the spirit of
 * HdrHistogram but a hundred lines: each power of two is split into 128 linear buckets, so a
 * reported percentile is at most 1/128 (&lt;0.8%) above the true value, across the whole long
 * range, in a fixed 57 KiB. Not thread-safe: give each thread its own and {@link #add} them.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 7;
    private static final int SUB = 1 << SUB_BITS;
    private static final int BUCKETS = (64 - SUB_BITS) * SUB;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long sum;
    private long min = Long.MAX_VALUE;
    private long max;

    /** Records one value; negatives count as 0. */
    public void record(long value) {
        long v = Math.max(0, value);
        counts[index(v)]++;
        total++;
        sum += v;
        min = Math.min(min, v);
        max = Math.max(max, v);
    }

    /** Adds every value recorded in {@code other} to this histogram. */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        sum += other.sum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    public long count() {
        return total;
    }

    /** Smallest value recorded (exact); 0 when empty. */
    public long min() {
        return total == 0 ? 0 : min;
    }

    /** Largest value recorded (exact); 0 when empty. */
    public long max() {
        return max;
    }

    public double mean() {
        return total == 0 ? 0 : (double) sum / total;
    }

    /**
     * The value at or below which {@code percentile}% of recorded values fall (the top of that
     * value's bucket, capped at {@link #max()}; percentile 0 is the exact
     * {@link #min()}); 0 when empty.
     */
    public long valueAtPercentile(double percentile) {
        if (total == 0) {
            return 0;
        }
        double p = Math.min(100, Math.max(0, percentile));
        if (p == 0) {
            return min; // exact, rather than the top of min's bucket
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100 * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.max(min, Math.min(upper(i), max));
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS;
        return (shift + 1) * SUB + (int) ((v >>> shift) - SUB);
    }

    /** Largest value that lands in bucket {@code i}. */
    static long upper(int i) {
        int block = i / SUB;
        if (block == 0) {
            return i;
        }
        int shift = block - 1;
        long lower = (long) (i % SUB + SUB) << shift;
        return lower + (1L << shift) - 1;
    }
}
