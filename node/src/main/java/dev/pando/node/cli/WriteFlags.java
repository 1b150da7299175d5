package dev.pando.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/** {@code --if-revision} and {@code --sync}, shared by the commands that write a key. */
final class WriteFlags {
    @Option(names = "--if-revision", paramLabel = "N",
            description = "Only if the key's current revision is N (0: only if it does not exist); else CONFLICT.")
    Long ifRevision;

    @Option(names = "--sync", description = "fsync before acknowledging.")
    boolean sync;

    /** Adds the flags that were given to the op's args. */
    ObjectNode addTo(ObjectNode args) {
        if (ifRevision != null) {
            args.put("ifRevision", ifRevision);
        }
        if (sync) {
            args.put("sync", true);
        }
        return args;
    }
}
