package dev.pando.builtin.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.OpArgs;
import dev.pando.api.plugin.OpCall;
import java.util.Optional;

/**
 * {@code journal.verify}: walks a range of a chained journal and checks each entry's HMAC
 * against the entry and the link before it, reporting the first bad seq.
 */
final class ChainVerifier {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final JournalStore store;
    private final JournalConfig config;

    ChainVerifier(JournalStore store, JournalConfig config) {
        this.store = store;
        this.config = config;
    }

    /** {@code journal.verify}: checks up to {@link JournalPlugin#MAX_VERIFY_PER_CALL} links from {@code fromSeq}. */
    JsonNode verify(OpCall call) {
        OpArgs a = OpArgs.of(call, "fromSeq", "toSeq");
        if (config.hmacKey() == null) {
            throw PandoException.badRequest("journal.verify: the journal is not chained; set config hmac.key to chain new entries");
        }
        HmacChain chain = new HmacChain(config.hmacKey());
        long first = store.firstSeq();
        long last = store.lastSeq();
        long from = a.optLong("fromSeq", 1, Long.MAX_VALUE).orElse(first);
        long to = a.optLong("toSeq", 1, Long.MAX_VALUE).orElse(last);
        if (from < first) {
            throw new PandoException(ErrorCode.NOT_FOUND, "journal.verify: seq " + from + " is compacted; the journal holds seq " + first + " to " + last);
        }
        if (to > last) {
            throw a.fail("toSeq", "(" + to + ") is beyond the last seq " + last);
        }
        if (from > to) {
            throw a.fail("fromSeq", "(" + from + ") is after toSeq (" + to + ")");
        }
        String prev;
        JournalStore.Meta meta = store.meta();
        if (from == meta.baseSeq() + 1) {
            prev = meta.baseMac();
        } else {
            prev = store.entry(from - 1).flatMap(JournalEntry::mac).orElseThrow(() ->
                    new PandoException(ErrorCode.NOT_FOUND, "journal.verify: seq " + (from - 1) + " (the link before fromSeq) is compacted"));
        }
        long end = Math.min(to, from + JournalPlugin.MAX_VERIFY_PER_CALL - 1);
        ObjectNode out = JSON.objectNode();
        out.put("fromSeq", from);
        long verified = 0;
        for (long seq = from; seq <= end; seq++) {
            String problem = null;
            Optional<JournalEntry> found = store.entry(seq);
            if (found.isEmpty()) {
                problem = "the entry is missing";
            } else {
                JournalEntry e = found.get();
                if (e.seq() != seq) {
                    problem = "the entry stored at seq " + seq + " claims seq " + e.seq();
                } else if (e.mac().isEmpty()) {
                    problem = "the entry has no mac (journaled before the chain was configured?)";
                } else if (!e.mac().get().equals(chain.mac(prev, e))) {
                    problem = "the mac does not match the entry and the previous link";
                }
                prev = e.mac().orElse(null);
            }
            if (problem != null) {
                out.put("ok", false);
                out.put("verified", verified);
                out.put("firstBadSeq", seq);
                out.put("reason", problem);
                out.set("next", NullNode.getInstance());
                return out;
            }
            verified++;
        }
        out.put("ok", true);
        out.put("verified", verified);
        out.put("toSeq", end);
        out.set("next", end < to ? JSON.numberNode(end + 1) : NullNode.getInstance());
        return out;
    }
}
