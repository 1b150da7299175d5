package dev.pando.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScopeTest {
    @ParameterizedTest
    @CsvSource({
        "write:/lights/**,     write:/lights/room1,    true",
        "write:/lights/**,     read:/lights/room1/x,   true",
        "write:/lights/**,     write:/lights/**,       true",
        "write:/lights/**,     write:/lights,          true",
        "read:/lights/**,      write:/lights/room1,    false",
        "write:/lights/*,      write:/lights/room1,    true",
        "write:/lights/*,      write:/lights/*,        true",
        "write:/lights/*,      write:/lights/**,       false",
        "write:/lights/*,      write:/lights/a/b,      false",
        "write:/lights/room1,  write:/lights/*,        false",
        "write:/lights/room1,  write:/lights/room2,    false",
        "write:/a/**/x,        write:/a/b/c/x,         true",
        "write:/a/**/x,        write:/a/b/y,           false",
        "write:/a/**/x,        write:/a/**/x,          true",
        "admin:/**,            publish:/any/topic,     true",
        "subscribe:/**,        read:/a,                false",
        "publish:/t/**,        subscribe:/t/x,         false",
        "write:/lights/**,     write:/lightsx/1,       false",
    })
    void aScopeCoversOnlyWhatIsNoWider(String wide, String narrow, boolean covers) {
        assertThat(Scope.parse(wide).covers(Scope.parse(narrow))).as("%s covers %s", wide, narrow).isEqualTo(covers);
    }

    @ParameterizedTest
    @CsvSource({"lights", "fly:/a", "write:lights", "write:/a//b"})
    void aMalformedScopeIsABadRequestNamingIt(String text) {
        assertThatThrownBy(() -> Scope.parse(text)).isInstanceOfSatisfying(PandoException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(e.getMessage()).contains(text);
        });
    }

    @org.junit.jupiter.api.Test
    void aScopeAllowsItsActionAndWhatItImpliesOnMatchingKeysOnly() {
        Scope write = Scope.parse("write:/lights/**");
        assertThat(write.allows(Access.READ, "/lights/a")).isTrue();
        assertThat(write.allows(Access.WRITE, "/lights/a/b")).isTrue();
        assertThat(write.allows(Access.PUBLISH, "/lights/a")).isFalse();
        assertThat(write.allows(Access.SUBSCRIBE, "/lights/a")).isFalse();
        assertThat(write.allows(Access.WRITE, "/doors/a")).isFalse();
        assertThat(Scope.parse("admin:/**").allows(Access.PUBLISH, "/t")).isTrue();
        assertThatThrownBy(() -> Scope.parse("none:/a")).isInstanceOf(PandoException.class);
    }
}
