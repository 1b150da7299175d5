package dev.pando.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving each test a fresh {@link TestNode} as a parameter, stopped and
 * deleted after the test:
 *
 * <pre>{@code
 * @ExtendWith(PandoNodeExtension.class)
 * class MyTest {
 *     @Test void works(TestNode node) { node.client().set("/a", ...); }
 * }
 * }</pre>
 *
 * Register it with {@code @RegisterExtension} and a {@link TestNode.Builder} to change settings.
 */
public final class PandoNodeExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PandoNodeExtension.class);
    private final TestNode.Builder builder;

    public PandoNodeExtension() {
        this(TestNode.builder());
    }

    public PandoNodeExtension(TestNode.Builder builder) {
        this.builder = builder;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
        return p.getParameter().getType() == TestNode.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
        return ctx.getStore(NS).computeIfAbsent("node", k -> builder.start(), TestNode.class);
    }

    @Override
    public void afterEach(ExtensionContext ctx) {
        TestNode node = ctx.getStore(NS).remove("node", TestNode.class);
        if (node != null) {
            node.close();
        }
    }
}
