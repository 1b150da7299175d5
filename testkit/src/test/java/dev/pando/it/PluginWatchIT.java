package dev.pando.it;

import static dev.pando.it.PluginSupport.eventually;
import static dev.pando.it.PluginSupport.signed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.host.testing.Wat;
import dev.pando.node.config.NodeConfig;
import dev.pando.signing.Ed25519KeyPair;
import dev.pando.testkit.TestNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With plugins.watch on, files dropped into or removed from the plugins directory take effect without a reload call. */
class PluginWatchIT {
    @TempDir
    Path work;

    @Test
    void droppingReplacingAndDeletingAFileIsPickedUp() {
        Ed25519KeyPair key = Ed25519KeyPair.generate();
        Path plugins = work.resolve("plugins");
        try (TestNode node = TestNode.builder().inMemory()
                .with(NodeConfig.TRUSTED_KEYS, PluginSupport.trust(work.resolve("trusted-keys"), key).toString())
                .with(NodeConfig.WATCH_PLUGINS, true)
                .with(NodeConfig.WATCH_DEBOUNCE_MS, 100L)
                .pluginsDir(plugins)
                .start()) {
            PandoClient client = node.client();
            PandoClient admin = node.adminClient();
            JsonNode args = Json.obj().put("watched", true);
            assertThat(errorCode(() -> client.call("echo.echo", args))).isEqualTo(ErrorCode.NOT_FOUND);

            PluginSupport.drop(plugins, "echo.wasm", signed("echo", key));
            assertThat(eventually("echo.echo is served after the file is dropped in", 20, () -> client.call("echo.echo", args)))
                    .isEqualTo(args);
            assertThat(PluginSupport.plugin(admin, "echo").path("version").asText()).isEqualTo("1.0.0");

            PluginSupport.drop(plugins, "echo.wasm", signed(Wat.module("echo"), PluginSupport.manifest("echo", "\"1.0.0\"", "\"1.1.0\""), key));
            eventually("the replaced file is served", 20,
                    () -> PluginSupport.plugin(admin, "echo").path("version").asText().equals("1.1.0") ? true : null);
            assertThat(PluginSupport.plugin(admin, "echo").path("lastReload").path("action").asText()).isEqualTo("replaced");
            assertThat(client.call("echo.echo", args)).isEqualTo(args);

            PluginSupport.delete(plugins.resolve("echo.wasm"));
            eventually("echo.echo is gone after the file is deleted", 20,
                    () -> errorCode(() -> client.call("echo.echo", args)) == ErrorCode.NOT_FOUND ? true : null);
            assertThat(PluginSupport.plugins(admin)).isEmpty();
        }
    }

    /** The error code {@code call} fails with, or null if it succeeds. */
    private static ErrorCode errorCode(Runnable call) {
        try {
            call.run();
            return null;
        } catch (PandoException e) {
            return e.code();
        }
    }
}
