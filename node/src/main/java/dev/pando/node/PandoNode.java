package dev.pando.node;

import dev.pando.node.config.NodeConfig;

/**
 * Placeholder so the CLI compiles on the {@code cli} branch; the real node lifecycle class
 * replaces this file on merge.
 */
public final class PandoNode {
    private PandoNode() {}

    /** Starts a node with {@code config}. */
    public static PandoNode start(NodeConfig config) {
        throw new UnsupportedOperationException("placeholder PandoNode: the server is not part of this branch");
    }

    /** The port actually bound (useful when the config asked for port 0). */
    public int port() {
        throw new UnsupportedOperationException("placeholder");
    }

    /** Graceful shutdown: stop accepting, drain, close plugins and the store. */
    public void close() {}

    /** Blocks until the node has closed. */
    public void awaitClose() {}
}
