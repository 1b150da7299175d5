package dev.pando.host.pf4j;

/**
 * A class on the host's classpath outside the plugin API. A test plugin bundles its own class
 * of the same name to show that a plugin's copy wins over the host's.
 */
public final class SharedName {
    private SharedName() {}

    public static String origin() {
        return "host";
    }
}
