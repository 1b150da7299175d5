package dev.pando.host.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Compiles modules to JVM bytecode on its own threads, each compile against a deadline. Chicory's
 * compiler does not stop when interrupted, so a compile past its deadline is abandoned, not
 * killed: its thread runs on, holding one of {@link #THREADS} permits, and new compiles wait for a
 * permit no longer than their own deadline. So stuck compiles cannot pile up, and a module that
 * overran is remembered by content hash and refused at once until its bytes change.
 */
public final class WasmCompiler implements AutoCloseable {
    /** Compiles that may run at once, abandoned ones included. */
    public static final int THREADS = 2;
    /** Modules remembered as too slow to compile; the oldest is forgotten first. */
    static final int REMEMBERED = 1024;

    private static final WasmCompiler SHARED = new WasmCompiler(THREADS, MachineFactoryCompiler::compile);

    private final Function<WasmModule, Function<Instance, Machine>> compile;
    private final int threads;
    private final Semaphore permits;
    private final ExecutorService executor;
    private final Map<String, Integer> overran = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** @param compile the compiler proper; tests substitute a slow one */
    WasmCompiler(int threads, Function<WasmModule, Function<Instance, Machine>> compile) {
        this.compile = compile;
        this.threads = threads;
        this.permits = new Semaphore(threads);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "pando-wasm-compile");
            t.setDaemon(true);
            return t;
        });
    }

    /** The node-wide compiler every {@link WasmPlugin#load} uses. */
    public static WasmCompiler shared() {
        return SHARED;
    }

    /**
     * Compiles {@code module} (parsed from {@code bytes}) within {@code timeoutMs}.
     *
     * @throws PandoException {@code BAD_REQUEST} if it does not compile, or did not within the
     *         deadline (now or earlier); {@code UNAVAILABLE} if no compile thread freed in time
     */
    Function<Instance, Machine> compile(byte[] bytes, WasmModule module, int timeoutMs) {
        String hash = sha256(bytes);
        Integer earlier;
        synchronized (overran) {
            earlier = overran.get(hash);
        }
        if (earlier != null) {
            throw tooSlow(earlier, "; not retried until the module changes");
        }
        try {
            if (!permits.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new PandoException(ErrorCode.UNAVAILABLE, "the WASM compiler is busy: " + threads
                        + " compiles are running (slow ones are abandoned at " + ModuleLimits.MAX_COMPILE_MS_KEY + "); try again later");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PandoException(ErrorCode.UNAVAILABLE, "interrupted while waiting for the WASM compiler");
        }
        CompletableFuture<Function<Instance, Machine>> result;
        try {
            result = CompletableFuture.supplyAsync(() -> {
                try {
                    return compile.apply(module);
                } finally {
                    permits.release();
                }
            }, executor);
        } catch (RuntimeException e) {
            permits.release();
            throw new PandoException(ErrorCode.UNAVAILABLE, "the WASM compiler is shut down");
        }
        // The compile gets its whole deadline, however long the wait for a thread took: a module
        // is remembered as too slow only for its own compile time.
        try {
            return result.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true); // marks it abandoned; the compile thread itself runs on to the end
            synchronized (overran) {
                overran.put(hash, timeoutMs);
            }
            throw tooSlow(timeoutMs, "");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw PandoException.badRequest("module does not compile: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PandoException(ErrorCode.UNAVAILABLE, "interrupted while compiling the module");
        }
    }

    private static PandoException tooSlow(int timeoutMs, String more) {
        return PandoException.badRequest("module did not compile within " + timeoutMs + " ms (" + ModuleLimits.MAX_COMPILE_MS_KEY + ")" + more);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops taking compiles; running ones finish on their own. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
