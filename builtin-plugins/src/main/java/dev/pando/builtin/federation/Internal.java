package dev.pando.builtin.federation;

/**
 * Keys that are one node's own bookkeeping and never travel between nodes: federation's cursors
 * and peer records, and the registry's entities and tokens (each hub keeps its own registry).
 */
final class Internal {
    private Internal() {}

    static boolean is(String key) {
        return under(key, "/federation") || under(key, "/registry");
    }

    private static boolean under(String key, String prefix) {
        return key.equals(prefix) || key.startsWith(prefix + "/");
    }
}
