package dev.pando.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The one-line rows of {@code pando plugins}. */
class PluginsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFailedFileShowsItsClaimedIdVersionFileAndReason() throws Exception {
        String row = PluginsCommand.row(JSON.readTree("{\"id\":\"hello\",\"file\":\"hello.wasm\",\"state\":\"FAILED\",\"version\":\"0.2.0\","
                + "\"error\":\"refused hello.wasm: UNTRUSTED_SIGNER: …\"}"));
        assertThat(row).startsWith("hello").contains(" 0.2.0 ").contains("FAILED").contains("hello.wasm: refused hello.wasm: UNTRUSTED_SIGNER");

        String unreadable = PluginsCommand.row(JSON.readTree("{\"id\":null,\"file\":\"junk.wasm\",\"state\":\"FAILED\",\"error\":\"MALFORMED\"}"));
        assertThat(unreadable).startsWith("? ").contains("junk.wasm: MALFORMED");
    }
}
