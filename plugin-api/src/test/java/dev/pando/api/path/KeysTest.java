package dev.pando.api.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "/a",
        "/site-a/lights/1",
        "/_sys/node",
        "/_plugins/abc/state",
        "/a b/c d",            // spaces are ordinary characters
        "/...",                // only '.' and '..' are special, not other dot runs
        "/.hidden/x..y/.a.",
        "/ünïcödé/日本/😀",     // BMP and supplementary (surrogate pair) characters
        "/a:b/c=d/e%2Fx",
        "/" + "\u00a0",        // NBSP is not a control character
    })
    void validKeys(String key) {
        assertThat(Keys.isValid(key)).as(key).isTrue();
        assertThat(Keys.requireValid(key)).isSameAs(key);
    }

    static Stream<Arguments> invalidKeys() {
        return Stream.of(
                Arguments.of(null, "empty"),
                Arguments.of("", "empty"),
                Arguments.of("a/b", "must start with '/'"),
                Arguments.of("/", "no segments"),
                Arguments.of("/a/", "ends with '/'"),
                Arguments.of("//a", "empty segment"),
                Arguments.of("/a//b", "empty segment"),
                Arguments.of("/a/.", "'.' segment"),
                Arguments.of("/./a", "'.' segment"),
                Arguments.of("/a/../b", "'..' segment"),
                Arguments.of("/*", "'*'"),
                Arguments.of("/a/**", "'*'"),
                Arguments.of("/a/b*c", "'*'"),
                Arguments.of("/a\u0000b", "control character U+0000"),
                Arguments.of("/a\nb", "control character U+000A"),
                Arguments.of("/a\tb", "control character U+0009"),
                Arguments.of("/a\u007fb", "control character U+007F"),
                Arguments.of("/a\u0085b", "control character U+0085"),
                Arguments.of("/a\ud800", "unpaired surrogate"),           // lone high at the end
                Arguments.of("/a\ud800/b", "unpaired surrogate"),         // lone high before '/'
                Arguments.of("/\udc00a", "unpaired surrogate"),           // lone low
                Arguments.of("/\udc00\ud800", "unpaired surrogate"),      // reversed pair
                Arguments.of("/" + "a".repeat(1024), "longer than 1024 bytes"));
    }

    @ParameterizedTest
    @MethodSource("invalidKeys")
    void invalidKeysAreRejectedWithTheReason(String key, String reason) {
        assertThat(Keys.isValid(key)).isFalse();
        assertThatThrownBy(() -> Keys.requireValid(key))
                .isInstanceOf(PandoException.class)
                .satisfies(e -> assertThat(((PandoException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining("invalid key")
                .hasMessageContaining(reason);
    }

    @Test
    void errorMessageQuotesTheKeyButTruncatesLongOnes() {
        assertThatThrownBy(() -> Keys.requireValid("/a//b")).hasMessageStartingWith("invalid key '/a//b'");
        String longKey = "/" + "x".repeat(2000);
        assertThatThrownBy(() -> Keys.requireValid(longKey))
                .hasMessageContaining("…")
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }

    // --- the 1024-byte boundary, for every UTF-8 width -------------------------------------------

    /** A key of exactly {@code bytes} UTF-8 bytes built from '/', a segment of {@code unit}s and ASCII padding. */
    private static String keyOfBytes(int bytes, String unit) {
        int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
        int n = (bytes - 1) / unitBytes;
        String key = "/" + unit.repeat(n) + "a".repeat(bytes - 1 - n * unitBytes);
        assertThat(key.getBytes(StandardCharsets.UTF_8)).hasSize(bytes);
        return key;
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "é", "€", "😀"})
    void exactly1024BytesIsValidAnd1025IsNot(String unit) {
        assertThat(Keys.isValid(keyOfBytes(1024, unit))).isTrue();
        assertThat(Keys.isValid(keyOfBytes(1025, unit))).isFalse();
        assertThatThrownBy(() -> Keys.requireValid(keyOfBytes(1025, unit))).hasMessageContaining("longer than 1024 bytes");
    }

    @Test
    void lengthLimitCountsBytesNotChars() {
        // 342 chars: past the "length * 3 <= 1024" shortcut, so the exact count decides.
        String threeByte = "/" + "€".repeat(341);   // 1 + 1023 = 1024 bytes, 342 chars
        String over = "/" + "€".repeat(341) + "a"; // 1025 bytes, 343 chars
        assertThat(Keys.isValid(threeByte)).isTrue();
        assertThat(Keys.isValid(over)).isFalse();
        // 341 chars of 3 bytes each would be 1023 bytes: the shortcut's largest input.
        String shortcutEdge = "/" + "€".repeat(340);
        assertThat(shortcutEdge.length() * 3).isLessThanOrEqualTo(Keys.MAX_KEY_BYTES);
        assertThat(Keys.isValid(shortcutEdge)).isTrue();
        // Many segments, multi-byte, just over.
        String segs = ("/" + "ü".repeat(9)).repeat(53) + "/abcdef"; // 53*19 + 7 = 1014
        assertThat(segs.getBytes(StandardCharsets.UTF_8)).hasSize(1014);
        assertThat(Keys.isValid(segs)).isTrue();
        assertThat(Keys.isValid(segs + "/abcdefghij")).isFalse(); // 1025
        assertThat(Keys.isValid(segs + "/abcdefghi")).isTrue();   // 1024
    }

    @Test
    void utf8LengthIsTheExactByteCount() {
        Random rnd = new Random(42);
        String[] units = {"a", "/", "é", "€", "日", "😀", "\u07ff", "\u0800", "\uffff", "\ud800\udc00", "\udbff\udfff", "\ud800", "\udc00"};
        for (int i = 0; i < 5000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(i < 2500 ? 40 : 700);
            for (int j = 0; j < n; j++) {
                sb.append(units[rnd.nextInt(units.length)]);
            }
            String s = sb.toString();
            assertThat(Keys.utf8Length(s)).as("utf8Length of %d chars", s.length())
                    .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void randomKeysAroundTheLimitAgreeWithGetBytes() {
        Random rnd = new Random(7);
        String[] units = {"a", "é", "€", "😀"};
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder("/");
            int target = 1000 + rnd.nextInt(50);
            while (sb.toString().getBytes(StandardCharsets.UTF_8).length < target) {
                sb.append(rnd.nextInt(30) == 0 && sb.charAt(sb.length() - 1) != '/' ? "/" : units[rnd.nextInt(units.length)]);
            }
            if (sb.charAt(sb.length() - 1) == '/') {
                sb.append('z');
            }
            String key = sb.toString();
            boolean fits = key.getBytes(StandardCharsets.UTF_8).length <= Keys.MAX_KEY_BYTES;
            assertThat(Keys.isValid(key)).as("%d bytes", key.getBytes(StandardCharsets.UTF_8).length).isEqualTo(fits);
        }
    }

    // --- prefixes ---------------------------------------------------------------------------------

    @Test
    void prefixes() {
        assertThat(Keys.requireValidPrefix("/")).isEqualTo("/");
        assertThat(Keys.requireValidPrefix("/a/b")).isEqualTo("/a/b");
        for (String bad : new String[] {"", "a", "/a/", "//", "/a/*", "/a/../b"}) {
            assertThatThrownBy(() -> Keys.requireValidPrefix(bad)).as(bad)
                    .isInstanceOf(PandoException.class)
                    .hasMessageContaining("invalid prefix");
        }
    }

    static Stream<Arguments> underCases() {
        return Stream.of(
                Arguments.of("/_plugins/ab", "/_plugins/ab", true),
                Arguments.of("/_plugins/ab/x", "/_plugins/ab", true),
                Arguments.of("/_plugins/ab/x/y", "/_plugins/ab", true),
                Arguments.of("/_plugins/abc", "/_plugins/ab", false),
                Arguments.of("/_plugins/abc/x", "/_plugins/ab", false),
                Arguments.of("/_plugins/a", "/_plugins/ab", false),
                Arguments.of("/_plugins", "/_plugins/ab", false),
                Arguments.of("/_plugins-x/ab", "/_plugins", false),
                Arguments.of("/anything", "/", true),
                Arguments.of("/a/b/c", "/", true),
                Arguments.of("/a", "/a", true),
                Arguments.of("/ab", "/a", false),
                Arguments.of("/b/a", "/a", false));
    }

    @ParameterizedTest
    @MethodSource("underCases")
    void isUnderRespectsSegmentBoundaries(String key, String prefix, boolean expected) {
        assertThat(Keys.isUnder(key, prefix)).isEqualTo(expected);
    }
}
