package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.node.config.NodeConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** {@link PandoTest}: its attributes reach the node, method nodes are fresh, a @BeforeAll node is shared. */
@PandoTest(inMemory = true, config = {"plugins.listener-queue=7", "limits.subscriber-queue = 99"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PandoTestExtensionIT {
    private static Path previousDataDir;

    @Test
    @Order(1)
    void theClassAttributesConfigureTheNode(TestNode node) {
        assertThat(node.node().config().get(NodeConfig.STORE)).isEqualTo("memory");
        assertThat(node.node().config().get(NodeConfig.LISTENER_QUEUE)).isEqualTo(7);
        assertThat(node.node().config().get(NodeConfig.SUBSCRIBER_QUEUE)).isEqualTo(99);
        assertThat(node.client().health().toString()).isNotEmpty();
        previousDataDir = node.dataDir();
        assertThat(previousDataDir).isDirectory();
    }

    @Test
    @Order(2)
    @PandoTest
    void aMethodAnnotationOverridesTheClassAndEachTestGetsAFreshNode(TestNode node) {
        assertThat(node.node().config().get(NodeConfig.STORE)).isEqualTo("rocksdb");
        assertThat(node.node().config().get(NodeConfig.LISTENER_QUEUE)).isEqualTo(NodeConfig.LISTENER_QUEUE.defaultValue());
        assertThat(previousDataDir).as("the first test ran").isNotNull();
        assertThat(node.dataDir()).isNotEqualTo(previousDataDir);
        assertThat(previousDataDir).as("the first test's node was stopped and its data dir deleted").doesNotExist();
    }

    @Test
    @Order(3)
    void twoParametersOfOneTestAreTheSameNode(TestNode a, TestNode b) {
        assertThat(a).isSameAs(b);
    }

    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class SharedNode {
        static TestNode shared;

        @BeforeAll
        static void start(TestNode node) {
            shared = node;
            node.client().set("/shared/counter", com.fasterxml.jackson.databind.node.IntNode.valueOf(1));
        }

        @Test
        @Order(1)
        void testsGetTheBeforeAllNode(TestNode node) {
            assertThat(node).isSameAs(shared);
            assertThat(node.client().get("/shared/counter").path("value").asInt()).isEqualTo(1);
            node.client().set("/shared/counter", com.fasterxml.jackson.databind.node.IntNode.valueOf(2));
        }

        @Test
        @Order(2)
        void andItLivesAcrossTests(TestNode node) {
            assertThat(node).isSameAs(shared);
            assertThat(node.client().get("/shared/counter").path("value").asInt()).as("the node was not restarted").isEqualTo(2);
            assertThat(node.node().config().get(NodeConfig.LISTENER_QUEUE)).as("the enclosing class's settings").isEqualTo(7);
        }
    }
}
