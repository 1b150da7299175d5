package dev.pando.node.dispatch;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One immutable generation of the {@code op -> handler} table, plus the count of calls still
 * running on it. A table is built complete, published by {@link HandlerRegistry#swap}, and once
 * replaced it is retired: new calls move on to the current table and {@link #awaitDrained} waits
 * for the ones already admitted.
 */
public final class HandlerTable {
    private final long generation;
    private final Map<String, OpSpec> ops;
    private final AtomicLong inFlight = new AtomicLong();
    private volatile boolean retired;

    HandlerTable(long generation, Map<String, OpSpec> ops) {
        this.generation = generation;
        // HashMap, not Map.copyOf: the op text arrives freshly parsed (its hash not yet cached) and
        // the immutable map's linear probing showed up in profiles; nothing mutates it after this.
        this.ops = Collections.unmodifiableMap(new HashMap<>(ops));
    }

    public long generation() {
        return generation;
    }

    /** The op's spec; empty if this table has no such op. */
    public Optional<OpSpec> lookup(String op) {
        return Optional.ofNullable(ops.get(op));
    }

    public Collection<OpSpec> ops() {
        return ops.values();
    }

    public int size() {
        return ops.size();
    }

    /** A builder seeded with this table's entries. */
    public Builder toBuilder() {
        return new Builder(ops);
    }

    /**
     * Admits one call. Returns false if the table was retired meanwhile, in which case the
     * caller must re-read the registry. The increment-then-check order pairs with
     * retire-then-count in {@link #awaitDrained}: either the call sees the retirement, or the
     * drain sees the call.
     */
    boolean enter() {
        inFlight.incrementAndGet();
        if (retired) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void exit() {
        inFlight.decrementAndGet();
    }

    public long inFlight() {
        return inFlight.get();
    }

    void retire() {
        retired = true;
    }

    /** Waits until no call admitted to this (retired) table is still running. */
    boolean awaitDrained(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        long sleepMicros = 50;
        while (inFlight.get() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            TimeUnit.MICROSECONDS.sleep(sleepMicros);
            sleepMicros = Math.min(sleepMicros * 2, 10_000);
        }
        return true;
    }

    /** Collects entries for a new table. Duplicate op names are an error. */
    public static final class Builder {
        private final Map<String, OpSpec> ops;

        public Builder() {
            this(Map.of());
        }

        private Builder(Map<String, OpSpec> seed) {
            this.ops = new LinkedHashMap<>(seed);
        }

        public Builder add(OpSpec spec) {
            OpSpec prev = ops.putIfAbsent(spec.op(), spec);
            if (prev != null) {
                throw new IllegalArgumentException("op '" + spec.op() + "' is already served by " + prev.owner());
            }
            return this;
        }

        public Builder addAll(List<OpSpec> specs) {
            specs.forEach(this::add);
            return this;
        }

        /** Drops every entry registered by {@code owner}. */
        public Builder removeOwner(String owner) {
            ops.values().removeIf(s -> s.owner().equals(owner));
            return this;
        }

        Map<String, OpSpec> entries() {
            return ops;
        }
    }
}
