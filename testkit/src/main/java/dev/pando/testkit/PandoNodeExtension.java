package dev.pando.testkit;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit Jupiter extension giving tests a {@link TestNode} parameter. Usually registered through
 * {@link PandoTest}; directly:
 *
 * <pre>{@code
 * @ExtendWith(PandoNodeExtension.class)
 * class MyTest {
 *     @Test void works(TestNode node) { node.client().set("/a", ...); }
 * }
 * }</pre>
 *
 * A test method's node is fresh and stopped (its data dir deleted) after the test; a node asked
 * for by a {@code @BeforeAll} method lives until the end of the class and is the one the class's
 * test methods get. Register it with {@code @RegisterExtension} and a {@link TestNode.Builder} to
 * choose any settings (then do not also annotate the class with {@link PandoTest}).
 */
public final class PandoNodeExtension implements ParameterResolver, AfterEachCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PandoNodeExtension.class);
    private static final String KEY = "node";
    private final TestNode.Builder builder;

    /** Nodes set up by the {@link PandoTest} annotation of the test method or class (defaults without one). */
    public PandoNodeExtension() {
        this.builder = null;
    }

    /** Nodes started by {@code builder}. */
    public PandoNodeExtension(TestNode.Builder builder) {
        this.builder = builder;
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
        return p.getParameter().getType() == TestNode.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
        // A method-level store sees the class-level node a @BeforeAll method made.
        return ctx.getStore(NS).computeIfAbsent(KEY, k -> builderFor(ctx).start(), TestNode.class);
    }

    @Override
    public void afterEach(ExtensionContext ctx) {
        closeOwn(ctx);
    }

    @Override
    public void afterAll(ExtensionContext ctx) {
        closeOwn(ctx);
    }

    /** Closes the node stored at exactly this context's level (not a parent's). */
    private static void closeOwn(ExtensionContext ctx) {
        Optional<ExtensionContext> parent = ctx.getParent();
        TestNode own = ctx.getStore(NS).get(KEY, TestNode.class);
        TestNode inherited = parent.map(c -> c.getStore(NS).get(KEY, TestNode.class)).orElse(null);
        if (own != null && own != inherited) {
            ctx.getStore(NS).remove(KEY, TestNode.class);
            own.close();
        }
    }

    private TestNode.Builder builderFor(ExtensionContext ctx) {
        if (builder != null) {
            return builder;
        }
        TestNode.Builder b = TestNode.builder();
        Optional<PandoTest> settings = ctx.getTestMethod().flatMap(m -> find(m))
                .or(() -> ctx.getTestClass().flatMap(PandoNodeExtension::findOnClass));
        settings.ifPresent(a -> {
            if (a.inMemory()) {
                b.inMemory();
            }
            for (String setting : a.config()) {
                int eq = setting.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("@PandoTest config entries are name=value, got '" + setting + "'");
                }
                b.set(setting.substring(0, eq).trim(), setting.substring(eq + 1).trim());
            }
        });
        return b;
    }

    private static Optional<PandoTest> find(AnnotatedElement element) {
        return AnnotationSupport.findAnnotation(element, PandoTest.class);
    }

    /** The class's annotation, else (for @Nested classes) the nearest enclosing class's. */
    private static Optional<PandoTest> findOnClass(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            Optional<PandoTest> a = find(c);
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }
}
