package dev.pando.node.kv;

/** Test access to a simulated kill -9 of a store, for tests outside this package. */
public final class StateStoreCrash {
    private StateStoreCrash() {}

    public static void crash(StateStore store) {
        store.closeAsIfCrashedForTest();
    }
}
