package dev.pando.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonRulesTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void asciiAndNonAsciiReadTheSameAsTheirDecodedText() throws Exception {
        for (String json : new String[] {"{\"a\":1,\"b\":\"x\\u00e9\"}", "{\"k\":\"caf\u00e9 \u2603 \ud83d\ude00\"}", "[\"\u007f\"]", "  "}) {
            JsonNode fromBytes = JsonRules.readTree(JsonRules.strictMapper(), utf8(json), "t");
            JsonNode fromText = JsonRules.strictMapper().readTree(json);
            assertThat(fromBytes).as(json).isEqualTo(fromText);
        }
        assertThat(JsonRules.isAscii(utf8("{\"a\":\"\u007f\"}"))).isTrue();
        assertThat(JsonRules.isAscii(utf8("{\"a\":\"\u0080\"}"))).isFalse();
    }

    @Test
    void bytesThatAreNotStrictUtf8AreRefusedWhateverJacksonWouldMakeOfThem() {
        byte[][] bad = {
            {'"', (byte) 0xC0, (byte) 0xAF, '"'}, // overlong '/': Jackson's reader would fold it
            {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, // an encoded surrogate
            {'"', (byte) 0xE2, (byte) 0x98, '"'}, // truncated
            {'"', (byte) 0xFF, '"'},
        };
        for (byte[] b : bad) {
            assertThatThrownBy(() -> JsonRules.parse(b, 8, "the value"))
                    .isInstanceOfSatisfying(PandoException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                    .hasMessage("the value is not valid UTF-8");
        }
    }
}
