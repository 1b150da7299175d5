package dev.pando.api.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One write of an atomic batch ({@link PluginKv#apply}): a {@link Set} or a {@link Delete}. The
 * batch commits every write or none.
 */
public sealed interface KvWrite permits KvWrite.Set, KvWrite.Delete {

    /** The key written. */
    String key();

    /**
     * Stores {@code value} (not JSON null) at {@code key}; with {@code ifRevision}, only if the
     * key's revision is then that one ({@code 0}: must not exist), counting the batch's earlier
     * writes, otherwise the whole batch fails with {@code CONFLICT}.
     */
    record Set(String key, JsonNode value, OptionalLong ifRevision) implements KvWrite {
        public Set {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(ifRevision, "ifRevision");
            if (ifRevision.isPresent() && ifRevision.getAsLong() < 0) {
                throw new IllegalArgumentException("ifRevision must be 0 (must not exist) or a revision, got " + ifRevision.getAsLong());
            }
        }
    }

    /** Deletes {@code key}; a key that does not exist (counting the batch's earlier writes) is no error and commits nothing. */
    record Delete(String key) implements KvWrite {
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }

    /** An unconditional set: last writer wins. */
    static KvWrite set(String key, JsonNode value) {
        return new Set(key, value, OptionalLong.empty());
    }

    /** A compare-and-set: {@code ifRevision} {@code 0} means the key must not exist. */
    static KvWrite set(String key, JsonNode value, long ifRevision) {
        return new Set(key, value, OptionalLong.of(ifRevision));
    }

    static KvWrite delete(String key) {
        return new Delete(key);
    }
}
