package dev.pando.host.pf4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.api.plugin.OpCall;
import dev.pando.host.testing.PluginJarBuilder;
import dev.pando.host.testing.TestHost;
import java.nio.file.Path;

/** Sources and builders of the native plugins the pf4j tests load. */
final class TestPlugins {
    static final ObjectMapper JSON = new ObjectMapper();


    private TestPlugins() {}

    static OpCall call(String op, String argsJson) {
        try {
            return new OpCall(op, JSON.readTree(argsJson), TestHost.ADMIN);
        } catch (Exception e) {
            throw new IllegalArgumentException(argsJson, e);
        }
    }

    /**
     * "counter": adds numbers, counts hits in its private prefix, writes wherever it is told
     * (to exercise the scope checks), reads /sensors, records changes it hears and marks stop().
     */
    static Path counter(Path dir) {
        return new PluginJarBuilder()
                .manifest("""
                        {"id": "counter", "version": "1.0.0", "apiVersion": 1, "description": "counts",
                         "ops": [{"name": "counter.add", "scope": "read"}, {"name": "counter.incr"},
                                 {"name": "counter.put"}, {"name": "counter.read", "scope": "read"},
                                 {"name": "counter.changes", "scope": "read"}],
                         "kv": {"read": ["/sensors"]},
                         "listens": {"changes": ["/sensors/**"]}}""")
                .source("example.counter.Counter", """
                        package example.counter;

                        import com.fasterxml.jackson.databind.JsonNode;
                        import com.fasterxml.jackson.databind.node.JsonNodeFactory;
                        import dev.pando.api.ErrorCode;
                        import dev.pando.api.PandoException;
                        import dev.pando.api.plugin.*;
                        import java.util.List;
                        import java.util.concurrent.CopyOnWriteArrayList;
                        import org.pf4j.Extension;

                        @Extension
                        public class Counter implements PandoPlugin {
                            private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
                            private final List<String> changes = new CopyOnWriteArrayList<>();
                            private volatile PluginContext ctx;

                            @Override
                            public void start(PluginContext context) {
                                ctx = context;
                            }

                            @Override
                            public JsonNode call(OpCall call) {
                                JsonNode args = call.args();
                                switch (call.verb()) {
                                    case "add":
                                        return NODES.numberNode(args.get("a").asLong() + args.get("b").asLong());
                                    case "incr": {
                                        String key = ctx.manifest().defaultPrefix() + "/" + args.get("name").asText();
                                        long next = ctx.kv().get(key).map(e -> e.value().asLong()).orElse(0L) + 1;
                                        return NODES.numberNode(ctx.kv().set(key, NODES.numberNode(next)).value().asLong());
                                    }
                                    case "put":
                                        ctx.kv().set(args.get("key").asText(), args.get("value"));
                                        return NODES.booleanNode(true);
                                    case "read":
                                        return ctx.kv().get(args.get("key").asText()).map(KvEntry::value).orElse(null);
                                    case "changes": {
                                        var out = NODES.arrayNode();
                                        changes.forEach(out::add);
                                        return out;
                                    }
                                    default:
                                        throw new PandoException(ErrorCode.BAD_REQUEST, "no verb " + call.verb());
                                }
                            }

                            @Override
                            public void onChange(KvChange change) {
                                changes.add(change.key() + (change.isDelete() ? " deleted" : "=" + change.value()));
                            }

                            @Override
                            public void stop() {
                                ctx.kv().set(ctx.manifest().defaultPrefix() + "/stopped", NODES.booleanNode(true));
                            }
                        }
                        """)
                .writeTo(dir, "counter.jar");
    }

    /** "greeter" at {@code version}: the same class name in every version, answering with {@code greeting}. */
    static Path greeter(Path dir, String version, String greeting) {
        return new PluginJarBuilder()
                .manifest("""
                        {"id": "greeter", "version": "%s", "apiVersion": 1, "ops": [{"name": "greeter.hello"}]}"""
                        .formatted(version))
                .source("example.greeter.Greeter", """
                        package example.greeter;

                        import com.fasterxml.jackson.databind.JsonNode;
                        import com.fasterxml.jackson.databind.node.TextNode;
                        import dev.pando.api.plugin.OpCall;
                        import dev.pando.api.plugin.PandoPlugin;

                        @org.pf4j.Extension
                        public class Greeter implements PandoPlugin {
                            @Override
                            public JsonNode call(OpCall call) {
                                return TextNode.valueOf("%s, " + call.args().get("name").asText());
                            }
                        }
                        """.formatted(greeting))
                .writeTo(dir, "greeter-" + version + ".jar");
    }

    /** A minimal plugin class {@code className} whose call returns {@code answer} (a Java expression). */
    static String pluginSource(String className, String annotation, String answer) {
        int dot = className.lastIndexOf('.');
        return """
                package %s;

                %s
                public class %s implements dev.pando.api.plugin.PandoPlugin {
                    @Override
                    public com.fasterxml.jackson.databind.JsonNode call(dev.pando.api.plugin.OpCall call) {
                        return com.fasterxml.jackson.databind.node.TextNode.valueOf(%s);
                    }
                }
                """.formatted(className.substring(0, dot), annotation, className.substring(dot + 1), answer);
    }
}
