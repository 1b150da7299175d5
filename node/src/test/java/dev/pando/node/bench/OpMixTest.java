package dev.pando.node.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpMixTest {
    @Test
    void parsesAndLabels() {
        assertThat(OpMix.parse("set=100,get=0").label()).isEqualTo("set:100");
        assertThat(OpMix.parse("get=100").label()).isEqualTo("get:100");
        OpMix mix = OpMix.parse("set:80, get:20");
        assertThat(mix.setPercent()).isEqualTo(80);
        assertThat(mix.label()).isEqualTo("set:80,get:20");
        assertThat(mix.isSet(79)).isTrue();
        assertThat(mix.isSet(80)).isFalse();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> OpMix.parse("set=50")).hasMessage("mix percentages must add up to 100, got 50");
        assertThatThrownBy(() -> OpMix.parse("del=100")).hasMessageContaining("unknown op 'del'");
        assertThatThrownBy(() -> OpMix.parse("set=x,get=0")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> OpMix.parse("set")).hasMessageContaining("look like set=80");
    }

    @Test
    void encoderWritesProtocolFrames() {
        RequestEncoder e = new RequestEncoder(100_000, 3);
        assertThat(e.key(123)).isEqualTo("/bench/key:000123");
        assertThat(new RequestEncoder(10_000_000, 0).key(5)).isEqualTo("/bench/key:0000005");
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        e.writeFrame(buf, 7, true, 42);
        assertThat(buf.toString(java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("{\"id\":7,\"op\":\"kv.set\",\"args\":{\"key\":\"/bench/key:000042\",\"value\":\"xxx\"}}");
        buf.clear();
        e.writeArgs(buf, false, 1);
        assertThat(buf.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("{\"key\":\"/bench/key:000001\"}");
        buf.release();
    }

    @Test
    void scannerReadsEnvelopes() {
        ResponseScanner s = new ResponseScanner();
        assertThat(s.scan(buf("{\"id\":3,\"ok\":true,\"result\":{\"deep\":[1,{\"id\":9}]}}"))).isTrue();
        assertThat(s.id).isEqualTo(3);
        assertThat(s.ok).isTrue();
        assertThat(s.scan(buf("{\"id\":4,\"ok\":false,\"error\":{\"message\":\"m\",\"code\":\"RATE_LIMITED\",\"retryAfterMs\":5}}"))).isTrue();
        assertThat(s.ok).isFalse();
        assertThat(s.code).isEqualTo("RATE_LIMITED");
        assertThat(s.scan(buf("{\"type\":\"change\",\"sub\":\"s1\"}"))).isTrue();
        assertThat(s.push).isTrue();
        assertThat(s.scan(buf("<html>"))).isFalse();
    }

    private static io.netty.buffer.ByteBuf buf(String s) {
        return io.netty.buffer.Unpooled.copiedBuffer(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
