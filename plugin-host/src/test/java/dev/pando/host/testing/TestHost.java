package dev.pando.host.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.Caller;
import dev.pando.api.plugin.OpCall;
import dev.pando.host.HostContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Small helpers for plugin tests: manifests, contexts over {@link MemoryHostServices}, calls, failures. */
public final class TestHost {
    /** The clock every test context reads: plugins see {@code clock_ms() == CLOCK.millis()}. */
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    /** An authenticated caller allowed everything. */
    public static final Caller ADMIN = new Caller() {
        @Override
        public String name() {
            return "admin";
        }

        @Override
        public boolean isAuthenticated() {
            return true;
        }

        @Override
        public boolean may(Access access, String key) {
            return true;
        }

        @Override
        public boolean holds(Scope scope) {
            return true;
        }
    };
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TestHost() {}

    /** Parses and validates a manifest against the default caps. */
    public static PluginManifest manifest(String json) {
        return ManifestParser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The real {@link HostContext} (and so the real scoped KV) over {@code services}. */
    public static HostContext context(PluginManifest manifest, MemoryHostServices services) {
        return new HostContext(manifest, services, null, CLOCK);
    }

    public static MemoryHostServices services() {
        return new MemoryHostServices(CLOCK);
    }

    public static OpCall call(String op, String argsJson) {
        return new OpCall(op, json(argsJson), ADMIN);
    }

    /** Asserts {@code call} fails with {@code code} and a message containing every fragment. */
    public static void assertRefused(ThrowingCallable call, ErrorCode code, String... fragments) {
        PandoException e = failure(call);
        Assertions.assertThat(e.code()).isEqualTo(code);
        Assertions.assertThat(e.getMessage()).isNotBlank();
        for (String fragment : fragments) {
            Assertions.assertThat(e.getMessage()).contains(fragment);
        }
    }

    /** Runs {@code call}, asserts it threw a {@link PandoException} and returns it. */
    public static PandoException failure(ThrowingCallable call) {
        Throwable thrown = Assertions.catchThrowable(call);
        Assertions.assertThat(thrown).as("expected a PandoException").isInstanceOf(PandoException.class);
        return (PandoException) thrown;
    }

    public static JsonNode json(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
