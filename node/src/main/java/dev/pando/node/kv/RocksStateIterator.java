package dev.pando.node.kv;

import dev.pando.api.PandoException;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/** A state scan of {@link RocksStorage}: holds the lifecycle read lock until closed, so the db cannot be freed underneath it. */
final class RocksStateIterator implements Storage.StateIterator {
    private final RocksIterator it;
    private final ReadOptions options;
    private final Slice upper;
    private final Lock lock;
    private boolean started;
    private boolean done;
    private boolean released;

    private final Function<RocksDBException, PandoException> failure;

    RocksStateIterator(RocksIterator it, ReadOptions options, Slice upper, Lock lock,
            Function<RocksDBException, PandoException> failure) {
        this.failure = failure;
        this.it = it;
        this.options = options;
        this.upper = upper;
        this.lock = lock;
    }

    @Override
    public boolean next() {
        if (done) {
            return false;
        }
        if (started) {
            it.next();
        }
        started = true;
        if (it.isValid()) {
            return true;
        }
        done = true;
        try {
            it.status();
        } catch (RocksDBException e) {
            throw failure.apply(e);
        }
        return false;
    }

    @Override
    public byte[] key() {
        return it.key();
    }

    @Override
    public byte[] value() {
        return it.value();
    }

    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        done = true;
        try {
            it.close();
            if (upper != null) {
                upper.close();
            }
            options.close();
        } finally {
            lock.unlock();
        }
    }
}
