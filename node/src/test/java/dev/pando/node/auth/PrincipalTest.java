package dev.pando.node.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.api.Access;
import dev.pando.api.Scope;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrincipalTest {
    private static Principal holding(String... scopes) {
        return new Principal("p", List.of(scopes).stream().map(Scope::parse).toList(), "p");
    }

    @Test
    void anOpNeedingAnActionIsCallableWhenSomeScopeGrantsItSomewhere() {
        Principal reader = holding("read:/a/**", "subscribe:/t/**");
        assertThat(reader.mayCall(Access.READ)).isTrue();
        assertThat(reader.mayCall(Access.SUBSCRIBE)).isTrue();
        assertThat(reader.mayCall(Access.WRITE)).isFalse();
        assertThat(reader.mayCall(Access.PUBLISH)).isFalse();

        Principal writer = holding("publish:/t/**", "write:/b/**");
        assertThat(writer.mayCall(Access.READ)).as("write implies read").isTrue();
        assertThat(writer.mayCall(Access.WRITE)).isTrue();
        assertThat(writer.mayCall(Access.SUBSCRIBE)).isFalse();
    }

    @Test
    void adminOpsNeedNodeWideAdminAndNoneNeedsNothing() {
        assertThat(holding("admin:/site/**").mayCall(Access.ADMIN)).as("owning a namespace is not enough").isFalse();
        assertThat(holding("admin:/site/**").mayCall(Access.WRITE)).isTrue();
        assertThat(holding("admin:/**").mayCall(Access.ADMIN)).isTrue();
        assertThat(holding().mayCall(Access.NONE)).isTrue();
        assertThat(holding().mayCall(Access.READ)).isFalse();
    }
}
