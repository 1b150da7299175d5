package dev.pando.node.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streamed envelope (hot path) must be byte-for-byte the tree form's JSON. */
class ResponseWireTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void streamedFormEqualsTreeForm() throws Exception {
        List<Response> cases = List.of(
                Response.ok(MAPPER.valueToTree(7), MAPPER.readTree("{\"key\":\"/a\",\"revision\":3,\"v\":[1,\"x\",null]}")),
                Response.ok(MAPPER.valueToTree("req-1"), null),
                Response.ok(null, MAPPER.valueToTree("plain")),
                Response.error(MAPPER.valueToTree(9), ErrorCode.CONFLICT, "revision mismatch \"quoted\"\n"),
                Response.error(null, PandoException.rateLimited("slow down", 250)));
        for (Response r : cases) {
            StringWriter out = new StringWriter();
            try (JsonGenerator gen = MAPPER.createGenerator(out)) {
                r.writeTo(gen, MAPPER);
            }
            assertThat(out.toString()).isEqualTo(MAPPER.writeValueAsString(r.toJson()));
        }
    }
}
