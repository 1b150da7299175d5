package dev.pando.node.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/** The three heap readings of a memory report and the heap per session they give. */
public final class MemoryResult {
    private final MemoryConfig config;
    private final HeapReading before;
    private final HeapReading open;
    private final HeapReading closed;

    MemoryResult(MemoryConfig config, HeapReading before, HeapReading open, HeapReading closed) {
        this.config = config;
        this.before = before;
        this.open = open;
        this.closed = closed;
    }

    public HeapReading before() {
        return before;
    }

    /** With the sessions open. */
    public HeapReading open() {
        return open;
    }

    /** After the sessions were closed (what is not given back hints at a leak). */
    public HeapReading closed() {
        return closed;
    }

    /** Sessions the node gained while the bench held them open. */
    public long sessionsCounted() {
        return open.sessions() - before.sessions();
    }

    /** Heap used with the sessions open minus before, per session the node gained (rounded to the byte). */
    public long bytesPerSession() {
        long n = sessionsCounted();
        return n <= 0 ? 0 : Math.round((open.heapUsed() - before.heapUsed()) / (double) n);
    }

    /**
     * The same difference taken against the reading after the sessions closed: a second baseline,
     * which differs from {@link #bytesPerSession()} when the node's heap moved for other reasons
     * (a builtin catching up, caches) while the sessions were open.
     */
    public long bytesPerSessionAfterClose() {
        long n = sessionsCounted();
        return n <= 0 ? 0 : Math.round((open.heapUsed() - closed.heapUsed()) / (double) n);
    }

    /** Whether the two readings of {@link #bytesPerSession()} settled (two in a row within {@code admin.memory}'s bound). */
    public boolean stable() {
        return before.stable() && open.stable();
    }

    static String describe(HeapReading r) {
        return String.format(Locale.ROOT, "heap %s (%d sessions, %d subscriptions%s)", mib(r.heapUsed()), r.sessions(),
                r.subscriptions(), r.stable() ? "" : ", not settled after " + r.gcRounds() + " collections");
    }

    public String toText() {
        return String.format(Locale.ROOT, "memory sessions=%d subscribe=%s%n", config.sessions(), config.subscribe())
                + "node heap after a full GC: before " + describe(before) + "\n"
                + "  with the sessions open " + describe(open) + "\n"
                + "  after closing them " + describe(closed) + "\n"
                + String.format(Locale.ROOT, "heap per session: %d bytes (%.1f KiB) over %d sessions%s; against the heap after closing: %d bytes",
                        bytesPerSession(), bytesPerSession() / 1024.0, sessionsCounted(), stable() ? "" : " (a reading did not settle: rerun)",
                        bytesPerSessionAfterClose());
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("mode", "memory").put("sessions", config.sessions()).put("subscribe", config.subscribe());
        n.set("before", before.toJson());
        n.set("open", open.toJson());
        n.set("closed", closed.toJson());
        n.put("sessionsCounted", sessionsCounted()).put("bytesPerSession", bytesPerSession())
                .put("bytesPerSessionAfterClose", bytesPerSessionAfterClose()).put("stable", stable());
        return n;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
