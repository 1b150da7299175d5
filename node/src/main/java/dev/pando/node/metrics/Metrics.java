package dev.pando.node.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A small Prometheus registry: counters, gauges and latency histograms, rendered in the text
 * exposition format at {@code GET /metrics}. Hand-rolled because the node needs a dozen series
 * and no exporter dependency; all updates are lock-free.
 */
public final class Metrics {
    /** Histogram bucket upper bounds, in seconds. */
    static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<String, Family> families = new ConcurrentHashMap<>();

    /** Increments counter {@code name} with the given label pairs ({@code "op", "kv.set"}). */
    public void inc(String name, String help, String... labels) {
        add(name, help, 1, labels);
    }

    public void add(String name, String help, long delta, String... labels) {
        counterSeries(name, help, labels).add(delta);
    }

    /**
     * The live counter of one series, for hot paths that update it per request: holding it
     * saves building the label text and two map lookups each time.
     */
    public LongAdder counterSeries(String name, String help, String... labels) {
        Family f = family(name, help, "counter");
        return (LongAdder) f.series.computeIfAbsent(labelText(labels), k -> new LongAdder());
    }

    /** The live histogram of one series; see {@link #counterSeries}. */
    public Histogram histogramSeries(String name, String help, String... labels) {
        Family f = family(name, help, "histogram");
        return (Histogram) f.series.computeIfAbsent(labelText(labels), k -> new Histogram());
    }

    /** Registers a gauge read at scrape time. Re-registering replaces the supplier. */
    public void gauge(String name, String help, LongSupplier value, String... labels) {
        family(name, help, "gauge").series.put(labelText(labels), value);
    }

    /** Records one observation of {@code nanos} in histogram {@code name}. */
    public void observeNanos(String name, String help, long nanos, String... labels) {
        histogramSeries(name, help, labels).observeNanos(nanos);
    }

    /** Current value of a counter series (0 if absent); for tests and {@code node.info}. */
    public long counter(String name, String... labels) {
        Family f = families.get(name);
        Object s = f == null ? null : f.series.get(labelText(labels));
        return s instanceof LongAdder a ? a.sum() : 0;
    }

    /** Current value of a gauge series (0 if absent); for {@code admin.memory}. */
    public long gaugeValue(String name, String... labels) {
        Family f = families.get(name);
        Object s = f == null ? null : f.series.get(labelText(labels));
        return s instanceof LongSupplier g ? g.getAsLong() : 0;
    }

    private Family family(String name, String help, String type) {
        Family f = families.computeIfAbsent(name, n -> new Family(help, type));
        if (!f.type.equals(type)) {
            throw new IllegalArgumentException("metric " + name + " is a " + f.type + ", not a " + type);
        }
        return f;
    }

    private static String labelText(String[] labels) {
        if (labels.length == 0) {
            return "";
        }
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels come in name/value pairs");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
        }
        return sb.toString();
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** HELP text escapes only backslash and line feed (quotes are literal there). */
    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /** The text exposition format (version 0.0.4). */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        for (Map.Entry<String, Family> e : new TreeMap<>(families).entrySet()) {
            String name = e.getKey();
            Family f = e.getValue();
            out.append("# HELP ").append(name).append(' ').append(escapeHelp(f.help)).append('\n');
            out.append("# TYPE ").append(name).append(' ').append(f.type).append('\n');
            for (Map.Entry<String, Object> s : new TreeMap<>(f.series).entrySet()) {
                String labels = s.getKey();
                Object v = s.getValue();
                if (v instanceof LongAdder a) {
                    sample(out, name, labels, Long.toString(a.sum()));
                } else if (v instanceof LongSupplier g) {
                    sample(out, name, labels, Long.toString(g.getAsLong()));
                } else if (v instanceof Histogram h) {
                    h.render(out, name, labels);
                }
            }
        }
        return out.toString();
    }

    static void sample(StringBuilder out, String name, String labels, String value) {
        out.append(name);
        if (!labels.isEmpty()) {
            out.append('{').append(labels).append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    private record Family(String help, String type, Map<String, Object> series) {
        Family(String help, String type) {
            this(help, type, new ConcurrentHashMap<>());
        }
    }

    /** Latency histogram over {@link #BUCKETS}; lock-free. */
    public static final class Histogram {
        private final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
        private final LongAdder sumNanos = new LongAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        public void observeNanos(long nanos) {
            double seconds = nanos / 1e9;
            int i = 0;
            while (i < BUCKETS.length && seconds > BUCKETS[i]) {
                i++;
            }
            counts[i].increment();
            sumNanos.add(nanos);
        }

        void render(StringBuilder out, String name, String labels) {
            String sep = labels.isEmpty() ? "" : labels + ",";
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += counts[i].sum();
                sample(out, name + "_bucket", sep + "le=\"" + BUCKETS[i] + "\"", Long.toString(cumulative));
            }
            cumulative += counts[BUCKETS.length].sum();
            sample(out, name + "_bucket", sep + "le=\"+Inf\"", Long.toString(cumulative));
            sample(out, name + "_sum", labels, Double.toString(sumNanos.sum() / 1e9));
            sample(out, name + "_count", labels, Long.toString(cumulative));
        }
    }
}
