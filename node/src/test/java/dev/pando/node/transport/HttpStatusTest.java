package dev.pando.node.transport;

import static dev.pando.node.transport.TestNode.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.NullNode;
import dev.pando.api.ErrorCode;
import dev.pando.node.dispatch.Response;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The HTTP status always follows the envelope's error code, and docs/protocol.md lists the mapping. */
class HttpStatusTest {

    @Test
    void aResultThatCannotBeSerialisedIsAnInternal500() {
        try (TestNode node = TestNode.start()) {
            HttpResponse<String> res = node.post("/v1/ops/test.unserialisable", "{}");
            assertThat(json(res).at("/error/code").asText()).isEqualTo("INTERNAL");
            assertThat(res.statusCode()).isEqualTo(500);
            // The connection and node keep serving.
            assertThat(node.post("/v1/ops/kv.get", "{\"key\":\"/a\"}").statusCode()).isEqualTo(200);
            assertThat(node.metrics.render()).contains("pando_http_requests_total{route=\"ops\",status=\"500\"} 1");
        }
    }

    @Test
    void everyErrorCodeHasAnErrorStatusAndTheEnvelopeCarriesIt() {
        for (ErrorCode code : ErrorCode.values()) {
            FullHttpResponse res = HttpResponses.envelope(ByteBufAllocator.DEFAULT, Response.error(NullNode.getInstance(), code, "x"));
            try {
                assertThat(res.status().code()).as("%s", code).isEqualTo(code.httpStatus()).isBetween(400, 599);
                assertThat(json(res.content().toString(StandardCharsets.UTF_8)).at("/error/code").asText()).isEqualTo(code.name());
            } finally {
                res.release();
            }
        }
        assertThat(ErrorCode.INTERNAL.httpStatus()).isEqualTo(500);
    }

    @Test
    void protocolDocListsEveryCodeWithItsStatus() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "protocol.md"));
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(doc).as("docs/protocol.md maps %s", code).contains("| `" + code.name() + "` | " + code.httpStatus() + " |");
        }
    }
}
