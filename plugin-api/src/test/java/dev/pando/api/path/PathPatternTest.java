package dev.pando.api.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathPatternTest {

    // --- tables -----------------------------------------------------------------------------------

    static Stream<Arguments> matchTable() {
        return Stream.of(
                // literal
                Arguments.of("/a/b", "/a/b", true),
                Arguments.of("/a/b", "/a", false),
                Arguments.of("/a/b", "/a/b/c", false),
                Arguments.of("/a/b", "/a/bc", false),
                Arguments.of("/a/b", "/ab", false),
                // * is exactly one segment
                Arguments.of("/a/*", "/a/b", true),
                Arguments.of("/a/*", "/a/long-segment", true),
                Arguments.of("/a/*", "/a", false),
                Arguments.of("/a/*", "/a/b/c", false),
                Arguments.of("/*", "/x", true),
                Arguments.of("/*", "/x/y", false),
                Arguments.of("/*/b", "/a/b", true),
                Arguments.of("/*/b", "/b", false),
                Arguments.of("/*/*", "/a/b", true),
                Arguments.of("/*/*", "/a", false),
                Arguments.of("/a/*/c", "/a/b/c", true),
                Arguments.of("/a/*/c", "/a/c", false),
                Arguments.of("/a/*/c", "/a/b/b/c", false),
                // ** at the end
                Arguments.of("/a/**", "/a", true),
                Arguments.of("/a/**", "/a/b", true),
                Arguments.of("/a/**", "/a/b/c/d", true),
                Arguments.of("/a/**", "/ab", false),
                Arguments.of("/a/**", "/b/a", false),
                // ** at the start
                Arguments.of("/**/x", "/x", true),
                Arguments.of("/**/x", "/a/x", true),
                Arguments.of("/**/x", "/a/b/c/x", true),
                Arguments.of("/**/x", "/a/x/b", false),
                Arguments.of("/**/x", "/ax", false),
                // ** in the middle
                Arguments.of("/a/**/x", "/a/x", true),
                Arguments.of("/a/**/x", "/a/b/x", true),
                Arguments.of("/a/**/x", "/a/b/c/x", true),
                Arguments.of("/a/**/x", "/a/x/x", true),
                Arguments.of("/a/**/x", "/a", false),
                Arguments.of("/a/**/x", "/a/x/y", false),
                Arguments.of("/a/**/x", "/b/x", false),
                // multiple **
                Arguments.of("/**/a/**", "/a", true),
                Arguments.of("/**/a/**", "/x/a/y", true),
                Arguments.of("/**/a/**", "/x/y", false),
                Arguments.of("/a/**/b/**/c", "/a/b/c", true),
                Arguments.of("/a/**/b/**/c", "/a/x/b/y/z/c", true),
                Arguments.of("/a/**/b/**/c", "/a/c/b", false),
                Arguments.of("/a/**/b/**/c", "/a/b/b/c/c", true),
                Arguments.of("/**/**", "/q", true),
                Arguments.of("/**/**/z", "/z", true),
                // ** with *
                Arguments.of("/**/*", "/a", true),
                Arguments.of("/**/*", "/a/b/c", true),
                Arguments.of("/*/**", "/a", true),
                Arguments.of("/**/*/x", "/x", false),
                Arguments.of("/**/*/x", "/a/x", true),
                Arguments.of("/a/**/*/*", "/a/b", false),
                Arguments.of("/a/**/*/*", "/a/b/c", true),
                // /** matches everything
                Arguments.of("/**", "/a", true),
                Arguments.of("/**", "/a/b/c", true),
                Arguments.of("/**", "/_sys/x", true));
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @MethodSource("matchTable")
    void matchTable(String pattern, String key, boolean expected) {
        assertThat(PathPattern.compile(pattern).matches(key)).isEqualTo(expected);
        assertThat(referenceMatches(pattern, key)).as("reference agrees with the table").isEqualTo(expected);
        assertThat(regexMatches(pattern, key)).as("regex reference agrees with the table").isEqualTo(expected);
    }

    @Test
    void nonKeysNeverMatch() {
        for (String p : new String[] {"/**", "/*", "/a"}) {
            PathPattern pattern = PathPattern.compile(p);
            assertThat(pattern.matches(null)).isFalse();
            assertThat(pattern.matches("")).isFalse();
            assertThat(pattern.matches("a")).isFalse();
        }
    }

    static Stream<Arguments> badPatterns() {
        return Stream.of(
                Arguments.of(null, "empty"),
                Arguments.of("", "empty"),
                Arguments.of("a/*", "must start with '/'"),
                Arguments.of("/", "no segments"),
                Arguments.of("/a/", "ends with '/'"),
                Arguments.of("/a//*", "empty segment"),
                Arguments.of("/a/**b", "whole segments"),
                Arguments.of("/a/b*", "whole segments"),
                Arguments.of("/***", "whole segments"),
                Arguments.of("/a/../**", "'..' segment"),
                Arguments.of("/./*", "'.' segment"),
                Arguments.of("/a\u0001/*", "control character"),
                Arguments.of("/" + "a".repeat(1030), "longer than 1024 bytes"));
    }

    @ParameterizedTest
    @MethodSource("badPatterns")
    void badPatternsAreRejected(String pattern, String reason) {
        assertThatThrownBy(() -> PathPattern.compile(pattern))
                .isInstanceOf(PandoException.class)
                .satisfies(e -> assertThat(((PandoException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageContaining("invalid pattern")
                .hasMessageContaining(reason);
    }

    static Stream<Arguments> literalPrefixes() {
        return Stream.of(
                Arguments.of("/a/b", "/a/b", true),
                Arguments.of("/a/b/*/c", "/a/b", false),
                Arguments.of("/a/b/**", "/a/b", false),
                Arguments.of("/a/**/c", "/a", false),
                Arguments.of("/*/b", "/", false),
                Arguments.of("/**", "/", false),
                Arguments.of("/**/x", "/", false));
    }

    @ParameterizedTest
    @MethodSource("literalPrefixes")
    void literalPrefixAndIsLiteral(String pattern, String prefix, boolean literal) {
        PathPattern p = PathPattern.compile(pattern);
        assertThat(p.literalPrefix()).isEqualTo(prefix);
        assertThat(p.isLiteral()).isEqualTo(literal);
        assertThat(p.toString()).isEqualTo(pattern);
    }

    @Test
    void prefixOrPatternReadsAWildcardAsAPatternAndAnythingElseAsAPrefix() {
        assertThat(PathPattern.prefixOrPattern("/a/*/c").matches("/a/b/c")).isTrue();
        assertThat(PathPattern.prefixOrPattern("/a/*/c").matches("/a/b/c/d")).isFalse();
        assertThat(PathPattern.prefixOrPattern("/a/b").matches("/a/b/c/d")).isTrue();
        assertThat(PathPattern.prefixOrPattern("/a/b").matches("/a/bc")).isFalse();
        assertThat(PathPattern.prefixOrPattern("/").literalPrefix()).isEqualTo("/");
        assertThatThrownBy(() -> PathPattern.prefixOrPattern("/a//b")).isInstanceOf(PandoException.class);
        assertThatThrownBy(() -> PathPattern.prefixOrPattern(null)).isInstanceOf(PandoException.class);
    }

    @Test
    void underSelectsThePrefixAndEverythingBelowOnSegmentBoundaries() {
        PathPattern p = PathPattern.under("/_plugins/ab");
        assertThat(p.toString()).isEqualTo("/_plugins/ab/**");
        assertThat(p.matches("/_plugins/ab")).isTrue();
        assertThat(p.matches("/_plugins/ab/x")).isTrue();
        assertThat(p.matches("/_plugins/ab/x/y/z")).isTrue();
        assertThat(p.matches("/_plugins/abc")).isFalse();
        assertThat(p.matches("/_plugins/abc/x")).isFalse();
        assertThat(p.matches("/_plugins")).isFalse();
        assertThat(p.literalPrefix()).isEqualTo("/_plugins/ab");

        PathPattern all = PathPattern.under("/");
        assertThat(all.toString()).isEqualTo("/**");
        assertThat(all.matches("/x")).isTrue();
        assertThat(all.literalPrefix()).isEqualTo("/");

        assertThatThrownBy(() -> PathPattern.under("/a/")).isInstanceOf(PandoException.class);
        assertThatThrownBy(() -> PathPattern.under("/a/*")).isInstanceOf(PandoException.class);
    }

    @Test
    void underWorksForEveryValidKeyIncludingMaximumLength() {
        String longest = "/" + "k".repeat(Keys.MAX_KEY_BYTES - 1);
        assertThat(Keys.isValid(longest)).isTrue();
        PathPattern p = PathPattern.under(longest);
        assertThat(p.matches(longest)).isTrue();
        assertThat(p.matches(longest.substring(0, longest.length() - 1))).isFalse();
        assertThat(p.literalPrefix()).isEqualTo(longest);
    }

    @Test
    void equalityIsByText() {
        assertThat(PathPattern.compile("/a/*")).isEqualTo(PathPattern.compile("/a/*"))
                .hasSameHashCodeAs(PathPattern.compile("/a/*"))
                .isNotEqualTo(PathPattern.compile("/a/**"));
        assertThat(PathPattern.under("/a")).isEqualTo(PathPattern.compile("/a/**"));
    }

    // --- properties with a seeded Random --------------------------------------------------------

    private static final String[] KEY_SEGMENTS = {"a", "b", "c", "ab", "_x", "é"};
    private static final String[] PATTERN_SEGMENTS = {"a", "b", "c", "ab", "_x", "é", "*", "**", "*", "**"};

    private static List<String> randomSegments(Random rnd, String[] alphabet, int min, int max) {
        int n = min + rnd.nextInt(max - min + 1);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(alphabet[rnd.nextInt(alphabet.length)]);
        }
        return out;
    }

    private static String path(List<String> segments) {
        return "/" + String.join("/", segments);
    }

    @Test
    void matchesAgreesWithReferenceMatchers() {
        Random rnd = new Random(20240601L);
        int matched = 0;
        int cases = 0;
        for (int i = 0; i < 4000; i++) {
            String pattern = path(randomSegments(rnd, PATTERN_SEGMENTS, 1, 6));
            PathPattern compiled = PathPattern.compile(pattern);
            for (int j = 0; j < 10; j++) {
                String key = path(randomSegments(rnd, KEY_SEGMENTS, 1, 7));
                boolean expected = referenceMatches(pattern, key);
                assertThat(compiled.matches(key)).as("%s ~ %s", pattern, key).isEqualTo(expected);
                assertThat(regexMatches(pattern, key)).as("two references agree on %s ~ %s", pattern, key).isEqualTo(expected);
                matched += expected ? 1 : 0;
                cases++;
            }
        }
        // The alphabet is small enough that a good share of cases match: the test exercises both outcomes.
        assertThat(matched).isBetween(cases / 50, cases - cases / 50);
    }

    @Test
    void keysDerivedFromAPatternMatchIt() {
        // Instantiate each pattern's wildcards with random segments: the result must match.
        Random rnd = new Random(99);
        for (int i = 0; i < 5000; i++) {
            List<String> pattern = randomSegments(rnd, PATTERN_SEGMENTS, 1, 6);
            List<String> key = new ArrayList<>();
            for (String s : pattern) {
                switch (s) {
                    case "*" -> key.add(KEY_SEGMENTS[rnd.nextInt(KEY_SEGMENTS.length)]);
                    case "**" -> key.addAll(randomSegments(rnd, KEY_SEGMENTS, 0, 3));
                    default -> key.add(s);
                }
            }
            if (key.isEmpty()) {
                key.add("a"); // the pattern is all '**', which matches any key
            }
            assertThat(PathPattern.compile(path(pattern)).matches(path(key))).as("%s ~ %s", path(pattern), path(key)).isTrue();
        }
    }

    @Test
    void aLiteralPatternMatchesExactlyItsOwnKey() {
        Random rnd = new Random(5);
        for (int i = 0; i < 2000; i++) {
            String key = path(randomSegments(rnd, KEY_SEGMENTS, 1, 5));
            PathPattern p = PathPattern.compile(key);
            assertThat(p.isLiteral()).isTrue();
            assertThat(p.literalPrefix()).isEqualTo(key);
            assertThat(p.matches(key)).isTrue();
            for (int j = 0; j < 10; j++) {
                String other = path(randomSegments(rnd, KEY_SEGMENTS, 1, 5));
                assertThat(p.matches(other)).as("%s ~ %s", key, other).isEqualTo(other.equals(key));
            }
        }
    }

    @Test
    void underMatchesExactlyTheKeysUnderThePrefix() {
        Random rnd = new Random(11);
        for (int i = 0; i < 2000; i++) {
            String prefix = rnd.nextInt(20) == 0 ? "/" : path(randomSegments(rnd, KEY_SEGMENTS, 1, 3));
            PathPattern under = PathPattern.under(prefix);
            for (int j = 0; j < 10; j++) {
                String key = path(randomSegments(rnd, KEY_SEGMENTS, 1, 5));
                assertThat(under.matches(key)).as("under(%s) ~ %s", prefix, key).isEqualTo(Keys.isUnder(key, prefix));
            }
        }
    }

    @Test
    void everyMatchingKeyLiesUnderTheLiteralPrefix() {
        Random rnd = new Random(3);
        int checked = 0;
        for (int i = 0; i < 3000; i++) {
            PathPattern p = PathPattern.compile(path(randomSegments(rnd, PATTERN_SEGMENTS, 1, 5)));
            for (int j = 0; j < 10; j++) {
                String key = path(randomSegments(rnd, KEY_SEGMENTS, 1, 6));
                if (p.matches(key)) {
                    assertThat(Keys.isUnder(key, p.literalPrefix())).as("%s ~ %s", p, key).isTrue();
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(1000);
    }

    // --- pathological inputs ------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 10, 30})
    void manyDoubleStarsAgainstALongKeyFinishQuickly(int stars) {
        // 500 segments "/a/a/.../a" (1000 bytes); a pattern alternating ** and a, ending in a
        // segment the key does not have: naive backtracking explores ~500^stars paths.
        String key = "/a".repeat(500);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < stars; i++) {
            sb.append("/**/a");
        }
        PathPattern failing = PathPattern.compile(sb + "/b");
        PathPattern failingStars = PathPattern.compile("/**".repeat(stars) + "/b");
        PathPattern succeeding = PathPattern.compile(sb + "/**");
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (int i = 0; i < 20; i++) {
                assertThat(failing.matches(key)).isFalse();
                assertThat(failingStars.matches(key)).isFalse();
                assertThat(succeeding.matches(key)).isTrue();
                assertThat(failing.matches(key.substring(0, 998) + "/b")).isEqualTo(stars <= 499);
            }
        });
    }

    @Test
    void longestPossiblePatternOfDoubleStarsFinishesQuickly() {
        // 340 '**' segments (1020 bytes) and a final literal, against a 500-segment key.
        PathPattern p = PathPattern.compile("/**".repeat(340) + "/b");
        String key = "/a".repeat(500);
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            assertThat(p.matches(key)).isFalse();
            assertThat(p.matches(key.substring(0, 998) + "/b")).isTrue();
        });
    }

    // --- independent references -----------------------------------------------------------------

    /** Plain recursive matcher over segment lists, written from the spec. */
    static boolean referenceMatches(String pattern, String key) {
        List<String> p = Arrays.asList(pattern.substring(1).split("/", -1));
        List<String> k = Arrays.asList(key.substring(1).split("/", -1));
        return ref(p, 0, k, 0);
    }

    private static boolean ref(List<String> p, int i, List<String> k, int j) {
        if (i == p.size()) {
            return j == k.size();
        }
        if (p.get(i).equals("**")) {
            return ref(p, i + 1, k, j) || (j < k.size() && ref(p, i, k, j + 1));
        }
        if (j == k.size()) {
            return false;
        }
        return (p.get(i).equals("*") || p.get(i).equals(k.get(j))) && ref(p, i + 1, k, j + 1);
    }

    /** Translation to a java.util.regex over the whole key. */
    static boolean regexMatches(String pattern, String key) {
        StringBuilder re = new StringBuilder();
        for (String seg : pattern.substring(1).split("/", -1)) {
            switch (seg) {
                case "**" -> re.append("(?:/[^/]+)*");
                case "*" -> re.append("/[^/]+");
                default -> re.append('/').append(Pattern.quote(seg));
            }
        }
        return Pattern.compile(re.toString()).matcher(key).matches();
    }
}
