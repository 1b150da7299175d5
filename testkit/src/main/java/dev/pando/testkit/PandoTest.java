package dev.pando.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class (or one test method) {@link TestNode} parameters, through
 * {@link PandoNodeExtension}:
 *
 * <pre>{@code
 * @PandoTest
 * class MyPluginTest {
 *     @Test void serves(TestNode node) { ... }
 * }
 * }</pre>
 *
 * A test method's {@code TestNode} is a fresh node, stopped and deleted after the test. A
 * {@code TestNode} parameter of a {@code @BeforeAll} method is one node for the whole class:
 * it is stopped after the class, and the test methods of that class receive it too. The
 * attributes set up the node; an annotation on the method overrides the class's.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PandoNodeExtension.class)
public @interface PandoTest {
    /** The in-memory store instead of RocksDB: faster; nothing but files survives {@link TestNode#restart()}. */
    boolean inMemory() default false;

    /**
     * Config settings as {@code name=value}, as {@code pando serve --set} takes them, e.g.
     * {@code "plugins.listener-queue=16"} (see docs/operations.md for the keys).
     */
    String[] config() default {};
}
