package dev.pando.guest.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.pando.api.PandoException;
import dev.pando.client.PandoClient;
import dev.pando.guest.GuestBuild;
import dev.pando.testkit.TestNode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** guest-sdk/examples/greeter (C), signed by build.sh, in a real node. */
class GreeterExampleIT {
    private final Logger pluginLog = (Logger) LoggerFactory.getLogger("pando.plugin.greeter");
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private TestNode node;
    /** The op's scope is none: anyone may be greeted. */
    private PandoClient anonymous;

    @BeforeEach
    void start() {
        logged.start();
        pluginLog.addAppender(logged);
        pluginLog.setLevel(Level.INFO); // the test config logs WARN and up only
        node = Examples.nodeWith(GuestBuild.signedPlugin("greeter", GuestBuild.C));
        anonymous = node.client();
    }

    @AfterEach
    void stop() {
        pluginLog.detachAppender(logged);
        pluginLog.setLevel(null);
        if (node != null) {
            node.close();
        }
    }

    private String greet(String args) {
        return anonymous.call("greeter.greet", Examples.json(args)).path("greeting").asText();
    }

    @Test
    void greetsAndLogs() {
        assertThat(greet("{\"name\":\"Ada\"}")).isEqualTo("Hello, Ada!");
        assertThat(greet("{\"name\":\"Ada\",\"shout\":true}")).isEqualTo("HELLO, ADA!");
        assertThat(greet("{\"name\":\"Ada\",\"shout\":false}")).isEqualTo("Hello, Ada!");
        List<String> infos;
        synchronized (logged) {
            infos = logged.list.stream().filter(e -> e.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage).toList();
        }
        assertThat(infos).contains("greeted Ada");
    }

    @Test
    void namesSurviveTheRoundTripThroughCJson() {
        assertThat(greet("{\"name\":\"Zoë \\\"Z\\\" \\\\ 🐙\"}")).isEqualTo("Hello, Zoë \"Z\" \\ 🐙!");
        assertThat(greet("{\"name\":\"tab\\there\\nnewline\"}")).isEqualTo("Hello, tab\there\nnewline!");
        assertThat(greet("{\"name\":\"\\u00e9t\\u00e9\"}")).isEqualTo("Hello, été!");
    }

    @Test
    void badArgumentsAreTypedErrorsNamingTheField() {
        for (String args : new String[] {"{}", "{\"name\":\"\"}", "{\"name\":42}", "{\"name\":null}",
                "{\"name\":\"" + "x".repeat(101) + "\"}"}) {
            PandoException e = Examples.failure(() -> greet(args));
            assertThat(e.code().name()).as(args).isEqualTo("BAD_REQUEST");
            assertThat(e.getMessage()).as(args).contains("name");
        }
        PandoException shout = Examples.failure(() -> greet("{\"name\":\"Ada\",\"shout\":\"yes\"}"));
        assertThat(shout.code().name()).isEqualTo("BAD_REQUEST");
        assertThat(shout.getMessage()).contains("shout");
        // A misspelt field is refused, naming it, as core ops do.
        PandoException misspelt = Examples.failure(() -> greet("{\"name\":\"Ada\",\"Shout\":true}"));
        assertThat(misspelt.code().name()).isEqualTo("BAD_REQUEST");
        assertThat(misspelt.getMessage()).contains("unknown argument 'Shout'");
        // still serving after the errors
        assertThat(greet("{\"name\":\"" + "x".repeat(100) + "\"}")).startsWith("Hello, xxx");
    }
}
