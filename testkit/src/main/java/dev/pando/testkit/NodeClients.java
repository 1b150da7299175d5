package dev.pando.testkit;

import dev.pando.client.PandoClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The clients and watches a {@link TestNode} has handed out, closed with the node and on a
 * restart (they point at the old port), and the admin client the kit's own calls share.
 */
final class NodeClients {
    private final List<AutoCloseable> open = new ArrayList<>();
    private PandoClient admin;

    <T extends AutoCloseable> T track(T client) {
        open.add(client);
        return client;
    }

    /** The shared admin client, connected by {@code connect} on first use after a start. */
    PandoClient admin(Supplier<PandoClient> connect) {
        if (admin == null) {
            admin = connect.get();
        }
        return admin;
    }

    void closeAll() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // a client of a node being stopped may already be broken
            }
        }
        open.clear();
        admin = null;
    }
}
