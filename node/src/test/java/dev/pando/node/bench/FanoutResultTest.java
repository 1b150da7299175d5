package dev.pando.node.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** How fan-out pushes are read and how losses are counted, without a node. */
class FanoutResultTest {
    private static final FanoutConfig CONFIG = new FanoutConfig(URI.create("http://127.0.0.1:1"), null, 10, 1, 100,
            Duration.ofSeconds(2), Duration.ofSeconds(1), 1, 100, 10, "/bench/fanout", Duration.ofSeconds(1));

    private static ResponseScanner scan(String frame) {
        ResponseScanner s = new ResponseScanner();
        assertThat(s.scan(Unpooled.copiedBuffer(frame, StandardCharsets.UTF_8))).isTrue();
        return s;
    }

    @Test
    void aChangePushCarriesItsSendTime() {
        ResponseScanner s = scan("{\"type\":\"change\",\"sub\":\"s1\",\"change\":{\"key\":\"/bench/fanout/w0/3\","
                + "\"value\":{\"sent\":123456789012,\"warmup\":true},\"revision\":9,\"timestamp\":1,\"origin\":\"n\",\"writer\":\"anonymous\"}}");
        assertThat(s.push).isTrue();
        assertThat(s.type).isEqualTo("change");
        assertThat(s.hasSent).isTrue();
        assertThat(s.sent).isEqualTo(123456789012L);
        assertThat(s.warmup).isTrue();

        ResponseScanner plain = scan("{\"type\":\"change\",\"sub\":\"s1\",\"change\":{\"key\":\"/a\",\"value\":{\"level\":1},\"revision\":9}}");
        assertThat(plain.hasSent).as("a value without 'sent'").isFalse();
        assertThat(plain.warmup).isFalse();

        ResponseScanner error = scan("{\"type\":\"error\",\"error\":{\"code\":\"SLOW_CONSUMER\",\"message\":\"fell behind\"}}");
        assertThat(error.type).isEqualTo("error");
        assertThat(error.code).isEqualTo("SLOW_CONSUMER");
        assertThat(error.message).isEqualTo("fell behind");

        ResponseScanner answer = scan("{\"id\":1,\"ok\":true,\"result\":{\"sub\":\"s1\",\"revision\":4}}");
        assertThat(answer.push).isFalse();
        assertThat(answer.type).isNull();
        assertThat(answer.id).isEqualTo(1);
        assertThat(answer.ok).isTrue();
    }

    @Test
    void theFastPathReadsWhatTheParserReadsAndLeavesTheRestToIt() {
        String[] frames = {
            "{\"type\":\"change\",\"sub\":\"s1\",\"change\":{\"key\":\"/bench/fanout/w0/3\",\"value\":{\"sent\":98765432101},\"revision\":9}}",
            "{\"type\":\"change\",\"sub\":\"s12\",\"change\":{\"key\":\"/bench/fanout/w1/0\",\"value\":{\"sent\":-42,\"warmup\":true},\"revision\":1}}",
        };
        for (String frame : frames) {
            ResponseScanner slow = scan(frame);
            ResponseScanner fast = new ResponseScanner();
            // Behind a prefix, as a frame may sit in a larger buffer.
            ByteBuf buf = Unpooled.copiedBuffer("xxxx" + frame, StandardCharsets.UTF_8);
            buf.skipBytes(4);
            assertThat(fast.scanFanoutChange(buf)).as(frame).isTrue();
            assertThat(fast.sent).isEqualTo(slow.sent);
            assertThat(fast.warmup).isEqualTo(slow.warmup);
            assertThat(fast.hasSent).isTrue();
            assertThat(fast.push).isTrue();
            assertThat(fast.type).isEqualTo("change");
            assertThat(buf.readerIndex()).as("nothing consumed").isEqualTo(4);
        }
        for (String other : new String[] {
            "{\"id\":1,\"ok\":true,\"result\":{\"sub\":\"s1\"}}",
            "{\"type\":\"error\",\"error\":{\"code\":\"SLOW_CONSUMER\",\"message\":\"x\"}}",
            "{\"type\":\"change\",\"sub\":\"s1\",\"change\":{\"key\":\"/a\",\"value\":{\"level\":1}}}",
            "{\"type\":\"change\",\"sub\":\"s1\",\"change\":{\"key\":\"/a\",\"value\":{\"sent\":12,\"other\":1}}}",
            "{\"type\":\"change\",\"sub\":\"s1\",\"change\":{\"key\":\"/a\",\"value\":{\"sent\":\"12\"}}}",
            "{\"type\":\"change\",\"sub\":\"s1\",\"change\":{\"key\":\"/a\",\"value\":{\"sent\":12",
        }) {
            assertThat(new ResponseScanner().scanFanoutChange(Unpooled.copiedBuffer(other, StandardCharsets.UTF_8))).as(other).isFalse();
        }
    }

    @Test
    void lostIsAcknowledgedWritesTimesSubscribersMinusWhatArrived() {
        WriteStats writes = new WriteStats();
        writes.sent = 32;
        writes.ackedWarmup = 10;
        writes.acked = 20;
        writes.error("CONFLICT", 2);
        DeliveryStats deliveries = new DeliveryStats(new LongAdder());
        deliveries.warmupDeliveries = 100;
        deliveries.measuredDeliveries = 195;
        deliveries.slowConsumers = 1;
        FanoutResult r = new FanoutResult(CONFIG, writes, deliveries, Duration.ofSeconds(2).toNanos());
        assertThat(r.expected()).isEqualTo(300);
        assertThat(r.received()).isEqualTo(295);
        assertThat(r.lost()).isEqualTo(5);
        assertThat(r.deliveriesPerSecond()).isEqualTo(97.5);
        assertThat(r.errorsByCode()).containsEntry("CONFLICT", 2L);
        assertThat(r.clean()).isFalse();
        assertThat(r.toText()).contains("writes: sent=32 acked=30 errors=2")
                .contains("deliveries: expected=300 received=295 lost=5 slow-consumers=1 disconnects=0   98 deliveries/s")
                .contains("errors by code: CONFLICT=2");
        assertThat(r.toJson().get("lost").asLong()).isEqualTo(5);
        assertThat(r.toJson().get("slowConsumers").asLong()).isEqualTo(1);

        DeliveryStats all = new DeliveryStats(new LongAdder());
        all.warmupDeliveries = 100;
        all.measuredDeliveries = 200;
        WriteStats fine = new WriteStats();
        fine.sent = 30;
        fine.ackedWarmup = 10;
        fine.acked = 20;
        assertThat(new FanoutResult(CONFIG, fine, all, 1).clean()).isTrue();
    }
}
