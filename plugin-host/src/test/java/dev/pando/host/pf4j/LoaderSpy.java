package dev.pando.host.pf4j;

import java.lang.ref.WeakReference;

/**
 * Lets test plugin code report its class loader, weakly, from places where the test cannot
 * reach it (a constructor that throws). Public: plugin classes are in another runtime package.
 */
public final class LoaderSpy {
    private static volatile WeakReference<ClassLoader> last = new WeakReference<>(null);
    private static volatile int records;

    private LoaderSpy() {}

    public static void record(Object pluginObject) {
        last = new WeakReference<>(pluginObject.getClass().getClassLoader());
        records++;
    }

    static int records() {
        return records;
    }

    static WeakReference<ClassLoader> last() {
        return last;
    }
}
