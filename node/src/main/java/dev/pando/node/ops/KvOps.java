package dev.pando.node.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.json.WireJson;
import dev.pando.api.path.Keys;
import dev.pando.api.path.PathPattern;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.api.plugin.OpArgs;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.kv.ScanQuery;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.WriteOptions;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@code kv.get|set|delete|scan|changes}. Writes run inline: they only validate and enqueue onto
 * the store's group commit, and answer when it is durable. {@code kv.get} is answered inline
 * when RocksDB has the key's block in memory (most reads of a working set), and otherwise on a
 * worker, like scans and feed reads, which can touch disk: a worker hop costs a read as much as
 * the read itself.
 */
public final class KvOps {
    /** Most changes one {@code kv.changes} call returns. */
    public static final int MAX_CHANGES_PER_CALL = 10_000;

    private static final String[] GET = {"key"};
    private static final String[] SET = {"key", "value", "ifRevision", "sync"};
    private static final String[] DELETE = {"key", "ifRevision", "sync"};
    private static final String[] SCAN = {"prefix", "pattern", "limit", "cursor"};
    private static final String[] CHANGES = {"after", "limit"};

    private final StateStore store;
    private final Executor workers;

    /** @param workers where a read that needs the disk runs */
    public KvOps(StateStore store, Executor workers) {
        this.store = store;
        this.workers = workers;
    }

    public List<OpSpec> specs() {
        return List.of(
                OpSpec.inline("kv.get", Access.READ, CoreOps.OWNER, this::get),
                OpSpec.inline("kv.set", Access.WRITE, CoreOps.OWNER, this::set),
                OpSpec.inline("kv.delete", Access.WRITE, CoreOps.OWNER, this::delete),
                OpSpec.worker("kv.scan", Access.READ, CoreOps.OWNER, this::scan),
                OpSpec.worker("kv.changes", Access.READ, CoreOps.OWNER, this::changes));
    }

    private CompletionStage<JsonNode> get(CallContext ctx, JsonNode json) {
        String key = Keys.requireValid(OpArgs.of("kv.get", json, GET).string("key"));
        ctx.principal().require(Access.READ, key);
        Optional<Optional<KvEntry>> inMemory = store.getInMemory(key);
        if (inMemory.isPresent()) {
            return CompletableFuture.completedFuture(found(key, inMemory.get()));
        }
        return CompletableFuture.supplyAsync(() -> found(key, store.get(key)), workers);
    }

    private static JsonNode found(String key, Optional<KvEntry> entry) {
        return WireJson.entry(entry.orElseThrow(() -> new PandoException(ErrorCode.NOT_FOUND, "no value at '" + key + "'")));
    }

    private CompletionStage<JsonNode> set(CallContext ctx, JsonNode json) {
        OpArgs args = OpArgs.of("kv.set", json, SET);
        String key = Keys.requireValid(args.string("key"));
        JsonNode value = args.anyValue("value");
        ctx.principal().require(Access.WRITE, key);
        return store.set(key, value, writeOptions(ctx.principal(), args)).thenApply(KvOps::ack);
    }

    private CompletionStage<JsonNode> delete(CallContext ctx, JsonNode json) {
        OpArgs args = OpArgs.of("kv.delete", json, DELETE);
        String key = Keys.requireValid(args.string("key"));
        ctx.principal().require(Access.WRITE, key);
        return store.delete(key, writeOptions(ctx.principal(), args)).thenApply(KvOps::ack);
    }

    private static WriteOptions writeOptions(Principal principal, OpArgs args) {
        WriteOptions opts = WriteOptions.by(principal.name()).sync(args.bool("sync", false));
        OptionalLong ifRevision = args.optLong("ifRevision", 0, Long.MAX_VALUE);
        return ifRevision.isEmpty() ? opts : opts.ifRevision(ifRevision.getAsLong());
    }

    private static JsonNode ack(KvChange c) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("key", c.key());
        n.put("revision", c.revision());
        n.put("timestamp", c.timestamp());
        return n;
    }

    private CompletionStage<JsonNode> scan(CallContext ctx, JsonNode json) {
        OpArgs args = OpArgs.of("kv.scan", json, SCAN);
        Optional<String> prefix = args.optString("prefix");
        Optional<String> pattern = args.optString("pattern");
        if (prefix.isPresent() == pattern.isPresent()) {
            throw PandoException.badRequest("kv.scan: give exactly one of 'prefix' or 'pattern'");
        }
        PathPattern p = prefix.map(PathPattern::under).orElseGet(() -> PathPattern.compile(pattern.orElseThrow()));
        int limit = args.intOr("limit", 1, ScanQuery.MAX_LIMIT, ScanQuery.DEFAULT_LIMIT);
        Principal principal = ctx.principal();
        // A scan never reveals keys the caller may not read, even if the pattern reaches them:
        // the store skips them inside the scan and seals the cursor, which may stop on one.
        KvPage page = store.scan(new ScanQuery(p, limit, args.optString("cursor"), key -> principal.allows(Access.READ, key)));
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        ArrayNode entries = result.putArray("entries");
        page.entries().forEach(e -> entries.add(WireJson.entry(e)));
        result.put("cursor", page.next().orElse(null));
        return CompletableFuture.completedFuture(result);
    }

    private CompletionStage<JsonNode> changes(CallContext ctx, JsonNode json) {
        OpArgs args = OpArgs.of("kv.changes", json, CHANGES);
        long after = args.optLong("after", 0, Long.MAX_VALUE).orElse(0);
        int limit = args.intOr("limit", 1, MAX_CHANGES_PER_CALL, 1000);
        List<KvChange> changes = store.changesSince(after, limit);
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        ArrayNode list = result.putArray("changes");
        Principal principal = ctx.principal();
        for (KvChange c : changes) {
            if (principal.allows(Access.READ, c.key())) {
                list.add(WireJson.change(c));
            }
        }
        result.put("lastRevision", store.lastChangeRevision());
        result.put("next", changes.isEmpty() ? after : changes.get(changes.size() - 1).revision());
        return CompletableFuture.completedFuture(result);
    }
}
