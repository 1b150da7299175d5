package dev.pando.node.dispatch;

import dev.pando.api.Access;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An op in the handler table: its name, the access its caller needs, how it executes, and the
 * handler. {@code owner} names what registered it ({@code core} or a plugin id) so a reload can
 * tell which entries it replaces.
 */
public record OpSpec(String op, Access requires, Execution execution, String owner, Handler handler) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}\\.[a-z][a-zA-Z0-9_.-]{0,63}");

    /** Where a handler runs. */
    public enum Execution {
        /** Never blocks (only enqueues or computes); runs on the calling transport thread. */
        INLINE,
        /** May block (disk reads, plugin code); runs on the bounded worker pool. */
        WORKER
    }

    public OpSpec {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(requires, "requires");
        Objects.requireNonNull(execution, "execution");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(handler, "handler");
        if (!NAME.matcher(op).matches()) {
            throw new IllegalArgumentException("op name must be <namespace>.<verb>, got '" + op + "'");
        }
    }

    public static OpSpec worker(String op, Access requires, String owner, Handler handler) {
        return new OpSpec(op, requires, Execution.WORKER, owner, handler);
    }

    public static OpSpec inline(String op, Access requires, String owner, Handler handler) {
        return new OpSpec(op, requires, Execution.INLINE, owner, handler);
    }

    /** The namespace part: {@code kv} for {@code kv.set}. */
    public String namespace() {
        return op.substring(0, op.indexOf('.'));
    }
}
