package dev.pando.host.wasm;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.ChicoryException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.json.WireJson;
import dev.pando.api.manifest.Permission;
import dev.pando.api.path.Keys;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvWrite;
import dev.pando.api.plugin.PluginContext;
import dev.pando.host.wasm.AbiV1.HostImport;
import dev.pando.host.wasm.AbiV1.Status;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The {@code pando} host functions of ABI v1, implemented over a plugin's {@link PluginContext}
 * so a WASM plugin reaches exactly what a native one does, through the same scoped KV view.
 *
 * <p>A host function never traps on bad guest input: failures become a negative
 * {@link Status} with the message in the result buffer, so the guest can handle them. Only
 * Chicory's own exceptions (interruption above all) pass through, because they end the call.
 */
final class HostImports {
    private static final Logger LOG = LoggerFactory.getLogger(HostImports.class);
    /** Error codes are enum names; anything longer is not one. */
    private static final int MAX_ERROR_CODE_BYTES = 64;
    /** Messages travel to clients; keep a runaway guest from sending megabytes of them. */
    private static final int MAX_ERROR_MESSAGE_CHARS = 1024;
    private static final long[] NO_RESULTS = new long[0];

    private final PluginContext context;
    private final int maxBytes;
    private final int maxJsonDepth;
    private final SecureRandom random;

    HostImports(PluginContext context, int maxBytes, int maxJsonDepth) {
        this.context = context;
        this.maxBytes = maxBytes;
        this.maxJsonDepth = maxJsonDepth;
        this.random = context.manifest().has(Permission.RANDOM) ? context.random() : null;
    }

    /** The functions for one instance, bound to its state; gated ones only with their permission. */
    ImportValues bind(InstanceState state) {
        ImportValues.Builder imports = ImportValues.builder();
        for (HostImport imp : HostImport.values()) {
            if (imp.permission != null && !context.manifest().has(imp.permission)) {
                continue;
            }
            imports.addFunction(new HostFunction(AbiV1.HOST_MODULE, imp.wasmName, imp.type,
                    (instance, args) -> invoke(imp, state, instance, args)));
        }
        return imports.build();
    }

    private long[] invoke(HostImport imp, InstanceState state, Instance instance, long[] a) {
        GuestMemory memory = new GuestMemory(instance.memory(), maxBytes);
        return switch (imp) {
            case KV_GET -> one(withStatus(state, () -> kvGet(state, memory, a)));
            case KV_SET -> one(withStatus(state, () -> kvSet(state, memory, a)));
            case KV_DELETE -> one(withStatus(state, () -> kvDelete(state, memory, a)));
            case KV_SCAN -> one(withStatus(state, () -> kvScan(state, memory, a)));
            case KV_APPLY -> one(withStatus(state, () -> kvApply(state, memory, a)));
            case PUBLISH -> one(withStatus(state, () -> publish(state, memory, a)));
            case RANDOM -> one(withStatus(state, () -> random(state, memory, a)));
            case RESULT_LEN -> one(state.result().length);
            case RESULT_READ -> one(resultRead(state, memory, a));
            case CLOCK_MS -> one(context.clock().millis());
            case CALLER -> one(withStatus(state, () -> caller(state)));
            case CALLER_MAY -> one(withStatus(state, () -> callerMay(state, memory, a)));
            case CONFIG -> one(withStatus(state, () -> setResult(state, AbiJson.bytes(context.config()))));
            case LOG -> {
                log(memory, a);
                yield NO_RESULTS;
            }
            case ERROR -> {
                state.report(reportedError(memory, a));
                yield NO_RESULTS;
            }
        };
    }

    /** {@code {"name": ..., "authenticated": ...}} of the op's caller into the result buffer. */
    private long caller(InstanceState state) {
        Caller caller = requireCaller(state);
        return setResult(state, AbiJson.bytes(AbiJson.object().put("name", caller.name()).put("authenticated", caller.isAuthenticated())));
    }

    /** 1 if the caller holds the action ({@code 1} read, {@code 2} write, {@code 3} admin, {@code 4} subscribe, {@code 5} publish) on the key, else 0. */
    private long callerMay(InstanceState state, GuestMemory memory, long[] a) {
        Caller caller = requireCaller(state);
        Access access = switch ((int) a[0]) {
            case 1 -> Access.READ;
            case 2 -> Access.WRITE;
            case 3 -> Access.ADMIN;
            case 4 -> Access.SUBSCRIBE;
            case 5 -> Access.PUBLISH;
            default -> throw PandoException.badRequest("caller_may level must be 1 (read), 2 (write), 3 (admin), 4 (subscribe) or 5 (publish), got "
                    + (int) a[0]);
        };
        String key = Keys.requireValid(memory.readUtf8(i32(a[1]), i32(a[2]), "key"));
        return caller.may(access, key) ? 1 : 0;
    }

    private static Caller requireCaller(InstanceState state) {
        Caller caller = state.caller();
        if (caller == null) {
            throw new PandoException(ErrorCode.NOT_FOUND, "there is no caller outside an op call");
        }
        return caller;
    }

    private long kvGet(InstanceState state, GuestMemory memory, long[] a) {
        String key = memory.readUtf8(i32(a[0]), i32(a[1]), "key");
        Optional<KvEntry> entry = context.kv().get(key);
        if (entry.isEmpty()) {
            // A miss is routine for a guest; answering it without an exception keeps it cheap.
            state.result(("no entry at '" + key + "'").getBytes(StandardCharsets.UTF_8));
            return Status.NOT_FOUND.code();
        }
        return setResult(state, AbiJson.bytes(WireJson.entry(entry.get())));
    }

    private long kvSet(InstanceState state, GuestMemory memory, long[] a) {
        String key = memory.readUtf8(i32(a[0]), i32(a[1]), "key");
        JsonNode value = AbiJson.parse(memory.read(i32(a[2]), i32(a[3]), "value"), maxJsonDepth, "value");
        long ifRevision = a[4];
        KvEntry written = ifRevision == AbiV1.NO_CAS
                ? context.kv().set(key, value)
                : context.kv().set(key, value, ifRevision);
        state.clearResult();
        return written.revision();
    }

    private long kvDelete(InstanceState state, GuestMemory memory, long[] a) {
        String key = memory.readUtf8(i32(a[0]), i32(a[1]), "key");
        boolean existed = context.kv().delete(key);
        state.clearResult();
        return existed ? 1 : 0;
    }

    private long kvScan(InstanceState state, GuestMemory memory, long[] a) {
        String query = memory.readUtf8(i32(a[0]), i32(a[1]), "prefix or pattern");
        String after = i32(a[3]) == 0 ? null : memory.readUtf8(i32(a[2]), i32(a[3]), "after");
        return setResult(state, AbiJson.bytes(AbiJson.page(context.kv().scan(query, after, i32(a[4])))));
    }

    /** An atomic batch ({@link dev.pando.api.plugin.PluginKv#apply}); the revisions it committed into the result buffer. */
    private long kvApply(InstanceState state, GuestMemory memory, long[] a) {
        // The values sit three levels down: the document, its "writes" array, a write.
        JsonNode doc = AbiJson.parse(memory.read(i32(a[0]), i32(a[1]), "writes"), maxJsonDepth + 3, "writes");
        List<KvWrite> writes = AbiJson.writes(doc);
        // Refused before anything commits: a status must always mean nothing was written.
        if (AbiJson.revisionsBound(writes.size()) > maxBytes) {
            throw new PandoException(ErrorCode.TOO_LARGE, "the answer to " + writes.size() + " writes could pass the limit of "
                    + maxBytes + " bytes; apply fewer at once");
        }
        return setResult(state, AbiJson.bytes(AbiJson.revisions(writes, context.kv().apply(writes))));
    }

    private long publish(InstanceState state, GuestMemory memory, long[] a) {
        String topic = memory.readUtf8(i32(a[0]), i32(a[1]), "topic");
        JsonNode payload = AbiJson.parse(memory.read(i32(a[2]), i32(a[3]), "payload"), maxJsonDepth, "payload");
        context.publish(topic, payload);
        state.clearResult();
        return 0;
    }

    private long random(InstanceState state, GuestMemory memory, long[] a) {
        long len = Integer.toUnsignedLong(i32(a[1]));
        if (len > maxBytes) {
            throw new PandoException(ErrorCode.TOO_LARGE, "random buffer is " + len + " bytes, above the limit of " + maxBytes);
        }
        byte[] bytes = new byte[(int) len];
        random.nextBytes(bytes);
        memory.write(i32(a[0]), bytes, "random buffer");
        state.clearResult();
        return 0;
    }

    /** Copies at most {@code len} bytes of the result buffer; leaves the buffer alone so a short read can be retried. */
    private static long resultRead(InstanceState state, GuestMemory memory, long[] a) {
        byte[] result = state.result();
        int n = (int) Math.min(Integer.toUnsignedLong(i32(a[1])), result.length);
        try {
            memory.write(i32(a[0]), result, n, "result_read buffer");
            return n;
        } catch (PandoException e) {
            return Status.BAD_REQUEST.code();
        }
    }

    private void log(GuestMemory memory, long[] a) {
        String message;
        try {
            message = new String(memory.read(i32(a[1]), i32(a[2]), "log message"), StandardCharsets.UTF_8);
        } catch (PandoException e) {
            // Logging is best effort for the guest; the operator still learns the guest is confused.
            context.log().warn("dropped a log message: {}", e.getMessage());
            return;
        }
        context.log().atLevel(logLevel(i32(a[0]))).log(message);
    }

    /** 0 trace, 1 debug, 2 info, 3 warn, 4 error; anything else is info. */
    private static Level logLevel(int level) {
        return switch (level) {
            case 0 -> Level.TRACE;
            case 1 -> Level.DEBUG;
            case 3 -> Level.WARN;
            case 4 -> Level.ERROR;
            default -> Level.INFO;
        };
    }

    private PandoException reportedError(GuestMemory memory, long[] a) {
        String code;
        String message;
        try {
            code = new String(memory.capped(MAX_ERROR_CODE_BYTES).read(i32(a[0]), i32(a[1]), "error code"), StandardCharsets.UTF_8);
            message = new String(memory.read(i32(a[2]), i32(a[3]), "error message"), StandardCharsets.UTF_8);
        } catch (PandoException e) {
            return new GuestReportedException(ErrorCode.PLUGIN_FAILED, "plugin reported an unreadable error: " + e.getMessage());
        }
        if (message.length() > MAX_ERROR_MESSAGE_CHARS) {
            message = message.substring(0, MAX_ERROR_MESSAGE_CHARS) + "…";
        }
        ErrorCode errorCode = parseCode(code);
        if (errorCode == null || !AbiV1.GUEST_ERROR_CODES.contains(errorCode)) {
            return new GuestReportedException(ErrorCode.PLUGIN_FAILED,
                    "plugin reported unsupported error code '" + code + "': " + message);
        }
        return new GuestReportedException(errorCode, message);
    }

    private static ErrorCode parseCode(String code) {
        try {
            return ErrorCode.valueOf(code.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private long setResult(InstanceState state, byte[] bytes) {
        if (bytes.length > maxBytes) {
            throw new PandoException(ErrorCode.TOO_LARGE, "result is " + bytes.length + " bytes, above the limit of " + maxBytes);
        }
        state.result(bytes);
        return bytes.length;
    }

    /**
     * Runs a status-returning host function: its failures become a negative status with the
     * message in the result buffer. Chicory exceptions are not failures of the host function but
     * of the call (the thread was interrupted, say), so they propagate and end it.
     */
    private static long withStatus(InstanceState state, LongSupplier body) {
        try {
            return body.getAsLong();
        } catch (PandoException e) {
            state.result(String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
            return Status.of(e.code()).code();
        } catch (ChicoryException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("host function failed", e);
            state.result(("host failure: " + e.getClass().getSimpleName()).getBytes(StandardCharsets.UTF_8));
            return Status.FAILED.code();
        }
    }

    private static int i32(long v) {
        return (int) v;
    }

    private static long[] one(long v) {
        return new long[] {v};
    }
}
