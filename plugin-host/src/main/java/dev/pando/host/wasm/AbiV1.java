package dev.pando.host.wasm;

import static com.dylibso.chicory.wasm.types.ValType.I32;
import static com.dylibso.chicory.wasm.types.ValType.I64;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.pando.api.ErrorCode;
import dev.pando.api.manifest.Permission;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The names, signatures and status codes of Pando's WASM ABI v1; {@code docs/plugin-abi.md} is
 * the guest-facing description (keep the two in step). The load-time validator and the host
 * functions both read their definitions from here.
 */
public final class AbiV1 {
    /** The one import namespace the host provides. */
    public static final String HOST_MODULE = "pando";
    /** Exported linear memory (required). */
    public static final String MEMORY = "memory";
    /** {@code pando_alloc(len i32) -> i32} (required): a buffer of {@code len} bytes, 0 on failure. */
    public static final String ALLOC = "pando_alloc";
    /** {@code pando_free(ptr i32, len i32)} (optional): takes back a result buffer. */
    public static final String FREE = "pando_free";
    /** {@code pando_init() -> i32} (optional): once per instance; non-zero fails it. */
    public static final String INIT = "pando_init";
    /** {@code pando_on_event(ptr i32, len i32) -> i32} (optional): change and event delivery. */
    public static final String ON_EVENT = "pando_on_event";

    static final FunctionType ALLOC_TYPE = type(List.of(I32), List.of(I32));
    static final FunctionType FREE_TYPE = type(List.of(I32, I32), List.of());
    static final FunctionType INIT_TYPE = type(List.of(), List.of(I32));
    static final FunctionType ON_EVENT_TYPE = type(List.of(I32, I32), List.of(I32));
    /** Every op export: {@code (args_ptr i32, args_len i32) -> i64}, the result packed as ptr << 32 | len. */
    static final FunctionType OP_TYPE = type(List.of(I32, I32), List.of(I64));

    /** Error codes a guest may report through {@code pando.error}; anything else becomes PLUGIN_FAILED. */
    static final Set<ErrorCode> GUEST_ERROR_CODES = EnumSet.of(ErrorCode.BAD_REQUEST, ErrorCode.FORBIDDEN,
            ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.TOO_LARGE, ErrorCode.UNAVAILABLE, ErrorCode.PLUGIN_FAILED);

    /** The {@code if_revision} a guest passes to {@code kv_set} for a plain, unconditional write. */
    public static final long NO_CAS = -1;

    private AbiV1() {}

    /**
     * What a failed host function returns to the guest instead of trapping. The message that goes
     * with it is left in the result buffer ({@code pando.result_len} / {@code pando.result_read}).
     */
    public enum Status {
        /** Malformed input: bad key, invalid JSON or UTF-8, a pointer or length outside memory. */
        BAD_REQUEST(-1, ErrorCode.BAD_REQUEST),
        /** Outside the manifest's prefixes or permissions. */
        FORBIDDEN(-2, ErrorCode.FORBIDDEN),
        /** {@code kv_get} of a key that does not exist. */
        NOT_FOUND(-3, ErrorCode.NOT_FOUND),
        /** {@code kv_set} whose {@code if_revision} did not match; a {@code kv_apply} batch with such a write. */
        CONFLICT(-4, ErrorCode.CONFLICT),
        /** Input or output above {@code maxOutputBytes}. */
        TOO_LARGE(-5, ErrorCode.TOO_LARGE),
        /** The node cannot serve the request right now. */
        UNAVAILABLE(-6, ErrorCode.UNAVAILABLE),
        /** Any other host failure. */
        FAILED(-7, ErrorCode.INTERNAL);

        private final int code;
        private final ErrorCode errorCode;

        Status(int code, ErrorCode errorCode) {
            this.code = code;
            this.errorCode = errorCode;
        }

        /** The negative value the host function returns. */
        public int code() {
            return code;
        }

        /** The status for a host failure with {@code errorCode}; codes without their own status are {@link #FAILED}. */
        public static Status of(ErrorCode errorCode) {
            if (errorCode == ErrorCode.RATE_LIMITED) {
                return UNAVAILABLE; // a spent write budget: try again later, as for any UNAVAILABLE
            }
            return Arrays.stream(values()).filter(s -> s.errorCode == errorCode).findFirst().orElse(FAILED);
        }
    }

    /** The host functions in module {@link #HOST_MODULE}; a gated one exists only with its permission. */
    enum HostImport {
        KV_GET("kv_get", List.of(I32, I32), List.of(I32), null),
        KV_SET("kv_set", List.of(I32, I32, I32, I32, I64), List.of(I64), null),
        KV_DELETE("kv_delete", List.of(I32, I32), List.of(I32), null),
        KV_SCAN("kv_scan", List.of(I32, I32, I32, I32, I32), List.of(I32), null),
        KV_APPLY("kv_apply", List.of(I32, I32), List.of(I32), null),
        RESULT_LEN("result_len", List.of(), List.of(I32), null),
        RESULT_READ("result_read", List.of(I32, I32), List.of(I32), null),
        ERROR("error", List.of(I32, I32, I32, I32), List.of(), null),
        CALLER("caller", List.of(), List.of(I32), null),
        CALLER_MAY("caller_may", List.of(I32, I32, I32), List.of(I32), null),
        CONFIG("config", List.of(), List.of(I32), null),
        PUBLISH("publish", List.of(I32, I32, I32, I32), List.of(I32), Permission.PUBLISH),
        LOG("log", List.of(I32, I32, I32), List.of(), Permission.LOG),
        CLOCK_MS("clock_ms", List.of(), List.of(I64), Permission.CLOCK),
        RANDOM("random", List.of(I32, I32), List.of(I32), Permission.RANDOM);

        final String wasmName;
        final FunctionType type;
        /** Null: always available (KV is bounded by the scoped view, not by a permission). */
        final Permission permission;

        HostImport(String wasmName, List<ValType> params, List<ValType> results, Permission permission) {
            this.wasmName = wasmName;
            this.type = type(params, results);
            this.permission = permission;
        }

        static Optional<HostImport> named(String name) {
            return Arrays.stream(values()).filter(i -> i.wasmName.equals(name)).findFirst();
        }

        static String allNames() {
            return Arrays.stream(values()).map(i -> i.wasmName).collect(Collectors.joining(", "));
        }
    }

    /** {@code (i32, i32) -> i64}, the way the ABI document writes signatures. */
    static String describe(FunctionType type) {
        String params = type.params().stream().map(AbiV1::name).collect(Collectors.joining(", "));
        String results = type.returns().isEmpty() ? "()"
                : type.returns().stream().map(AbiV1::name).collect(Collectors.joining(", "));
        return "(" + params + ") -> " + results;
    }

    private static String name(ValType t) {
        return t.toString().toLowerCase(Locale.ROOT);
    }

    private static FunctionType type(List<ValType> params, List<ValType> results) {
        return FunctionType.of(params, results);
    }
}
