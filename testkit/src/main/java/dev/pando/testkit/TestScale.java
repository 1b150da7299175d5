package dev.pando.testkit;

/**
 * How hard long-running tests (crash, soak, load) push: cycle counts are multiplied by
 * {@link #factor()}, which is 1 in the default build and larger under {@code mvn verify -Plong}
 * (system property {@code pando.test.scale}). Tests stay bounded either way.
 */
public final class TestScale {
    public static final String PROPERTY = "pando.test.scale";

    private TestScale() {}

    public static int factor() {
        String v = System.getProperty(PROPERTY, "1");
        try {
            return Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + " must be a whole number, got '" + v + "'");
        }
    }

    /** {@code base} × {@link #factor()}. */
    public static int scaled(int base) {
        return Math.multiplyExact(base, factor());
    }
}
