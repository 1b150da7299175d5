package dev.pando.guest.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.PandoException;
import dev.pando.client.PandoConnectionException;
import dev.pando.guest.GuestBuild;
import dev.pando.node.config.NodeConfig;
import dev.pando.node.plugins.PluginState;
import dev.pando.testkit.TestNode;
import java.nio.file.Path;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The plumbing the example tests share. */
final class Examples {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Examples() {}

    /**
     * A node (RocksDB, temp dir) trusting the key build.sh signed the examples with, with the
     * signed bundle {@code plugin} installed through the plugins directory and a reload.
     */
    static TestNode nodeWith(Path plugin) {
        TestNode node = TestNode.builder().with(NodeConfig.TRUSTED_KEYS, GuestBuild.trustedKeys().toString()).start();
        try {
            assertThat(node.install(plugin).action()).isEqualTo(PluginState.LOADED);
            return node;
        } catch (RuntimeException | AssertionError e) {
            node.close();
            throw e;
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** The error {@code call} fails with; fails the test if it succeeds or throws anything else. */
    static PandoException failure(ThrowingCallable call) {
        Throwable t = Assertions.catchThrowable(call);
        assertThat(t).as("expected the node to answer with an error").isInstanceOf(PandoException.class)
                .isNotInstanceOf(PandoConnectionException.class);
        return (PandoException) t;
    }
}
