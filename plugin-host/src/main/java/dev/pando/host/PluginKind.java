package dev.pando.host;

/** How a plugin is packaged and run. */
public enum PluginKind {
    /** A PF4J jar: trusted JVM code, same scoped APIs, no sandbox. */
    NATIVE,
    /** A signed WASM bundle run in the Chicory sandbox. */
    WASM,
    /** Shipped inside the node (journal, rules, ...): trusted JVM code on the same public API as a native plugin. */
    BUILTIN
}
