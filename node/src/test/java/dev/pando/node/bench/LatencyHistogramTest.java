package dev.pando.node.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void percentilesOfAUniformRangeAreWithinOnePercent() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 100_000; v++) {
            h.record(v * 1_000); // 1 µs .. 100 ms in ns
        }
        assertThat(h.count()).isEqualTo(100_000);
        assertThat(h.min()).isEqualTo(1_000);
        assertThat(h.max()).isEqualTo(100_000_000);
        assertThat(h.mean()).isCloseTo(50_000_500.0, within(1.0));
        assertThat(h.valueAtPercentile(50)).isBetween(50_000_000L, 50_400_000L);
        assertThat(h.valueAtPercentile(99)).isBetween(99_000_000L, 99_800_000L);
        assertThat(h.valueAtPercentile(99.9)).isBetween(99_900_000L, 100_000_000L);
        assertThat(h.valueAtPercentile(100)).isEqualTo(100_000_000L);
        assertThat(h.valueAtPercentile(0)).isEqualTo(1_000);
    }

    @Test
    void smallValuesAreExactAndOutliersShowInTheTail() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 990; i++) {
            h.record(100);
        }
        for (int i = 0; i < 10; i++) {
            h.record(5_000_000);
        }
        assertThat(h.valueAtPercentile(50)).isEqualTo(100);
        assertThat(h.valueAtPercentile(99)).isEqualTo(100);
        assertThat(h.valueAtPercentile(99.9)).isEqualTo(5_000_000);
    }

    @Test
    void bucketsAreContiguousAndBoundTheirValues() {
        for (long v : new long[] {0, 1, 127, 128, 255, 256, 257, 1_000_003, Long.MAX_VALUE / 3, Long.MAX_VALUE}) {
            int i = LatencyHistogram.index(v);
            assertThat(LatencyHistogram.upper(i)).isGreaterThanOrEqualTo(v);
            assertThat(i == 0 || LatencyHistogram.upper(i - 1) < v).isTrue();
        }
        assertThat(LatencyHistogram.upper(LatencyHistogram.index(Long.MAX_VALUE))).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void addMergesAndEmptyIsZero() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        assertThat(a.valueAtPercentile(99)).isZero();
        assertThat(a.min()).isZero();
        a.record(10);
        b.record(30);
        b.record(-5);
        a.add(b);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.min()).isZero();
        assertThat(a.max()).isEqualTo(30);
    }
}
