package dev.pando.node.kv;

class MemoryStateStoreTest extends StateStoreContract {
    @Override
    protected Storage newStorage() {
        return new MemoryStorage();
    }
}
