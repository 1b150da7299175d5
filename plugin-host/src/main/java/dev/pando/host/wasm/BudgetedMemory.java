package dev.pando.host.wasm;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One instance's linear memory, drawn from the node's {@link GuestMemoryBudget} and counted
 * against its plugin. A grow that the budget cannot cover returns -1 to the guest without
 * allocating. Growing and releasing are synchronized: the pool may release an idle instance's
 * memory from another thread than the one that last ran it.
 */
final class BudgetedMemory extends ForwardingMemory {
    private final GuestMemoryBudget budget;
    private final AtomicLong pluginBytes;
    /** Bytes this memory holds from the budget; zero once released. */
    private long held;
    private boolean released;

    private BudgetedMemory(Memory delegate, GuestMemoryBudget budget, AtomicLong pluginBytes, long held) {
        super(delegate);
        this.budget = budget;
        this.pluginBytes = pluginBytes;
        this.held = held;
    }

    /**
     * A memory of {@code limits.initialPages()} pages, if the budget has room for them.
     *
     * @throws PandoException {@code UNAVAILABLE} if it has not
     */
    static BudgetedMemory create(MemoryLimits limits, GuestMemoryBudget budget, AtomicLong pluginBytes) {
        long initial = (long) limits.initialPages() * PAGE_SIZE;
        if (!budget.tryReserve(initial)) {
            throw new PandoException(ErrorCode.UNAVAILABLE, "no guest memory left for a new instance: the node's "
                    + budget.limitBytes() / (1024 * 1024) + " MiB (" + GuestMemoryBudget.KEY + ") are in use");
        }
        pluginBytes.addAndGet(initial);
        return new BudgetedMemory(new ByteArrayMemory(limits), budget, pluginBytes, initial);
    }

    @Override
    public synchronized int grow(int pages) {
        if (pages <= 0 || released) {
            return released ? -1 : delegate.grow(pages);
        }
        long bytes = (long) pages * PAGE_SIZE;
        // Past the memory's own maximum the grow fails anyway; do not count that as the node's refusal.
        if ((long) delegate.pages() + pages > delegate.maximumPages() || !budget.tryReserve(bytes)) {
            return -1;
        }
        int previous = delegate.grow(pages);
        if (previous < 0) {
            budget.release(bytes);
            return previous;
        }
        held += bytes;
        pluginBytes.addAndGet(bytes);
        return previous;
    }

    /** Gives this memory's bytes back to the budget; later grows fail. Idempotent. */
    synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        budget.release(held);
        pluginBytes.addAndGet(-held);
        held = 0;
    }
}
