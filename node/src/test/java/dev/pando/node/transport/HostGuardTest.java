package dev.pando.node.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which Host names {@link HostGuard} accepts; the socket-level behaviour is in {@link HostHeaderTest}. */
class HostGuardTest {

    @Test
    void aSpecificBindAddressIsANameOfTheNodeAWildcardIsNot() {
        HostGuard lan = HostGuard.of("192.168.1.5", List.of(), true);
        assertThat(lan.allows("192.168.1.5:7330")).isTrue();
        assertThat(lan.allows("localhost:7330")).isTrue();
        assertThat(lan.allows("192.168.1.6:7330")).isFalse();

        HostGuard v6 = HostGuard.of("fd00::5", List.of(), true);
        assertThat(v6.allows("[fd00::5]:7330")).isTrue();

        for (String wildcard : new String[] {"0.0.0.0", "::", "[::]"}) {
            HostGuard any = HostGuard.of(wildcard, List.of(), true);
            assertThat(any.allows("0.0.0.0:7330")).as(wildcard).isFalse();
            assertThat(any.allows("[::]:7330")).as(wildcard).isFalse();
            assertThat(any.allows("127.0.0.1:7330")).as(wildcard).isTrue();
        }
    }

    @Test
    void malformedHostValuesAreNotAccepted() {
        HostGuard guard = HostGuard.of("127.0.0.1", List.of(), true);
        for (String bad : new String[] {"", ":7330", "localhost:port", "localhost:7330:1", "::1", "[::1", "[::1]x", "localhost@evil"}) {
            assertThat(guard.allows(bad)).as("'%s'", bad).isFalse();
        }
    }

    @Test
    void authenticatedModeWithoutConfiguredNamesAcceptsAnyHost() {
        assertThat(HostGuard.of("0.0.0.0", List.of(), false).allows("pando.lan:7330")).isTrue();
        assertThat(HostGuard.of("0.0.0.0", List.of("pando.lan"), false).allows("other.lan")).isFalse();
    }

    @Test
    void aConfiguredNameThatIsNoHostIsAConfigurationError() {
        assertThatThrownBy(() -> HostGuard.of("127.0.0.1", List.of("pando.lan:http"), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("transport.allowed-hosts");
    }
}
