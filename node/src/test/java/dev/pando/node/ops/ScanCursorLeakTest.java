package dev.pando.node.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pando.api.Access;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.Scope;
import dev.pando.api.manifest.ManifestParser;
import dev.pando.api.manifest.PluginManifest;
import dev.pando.api.plugin.KvEntry;
import dev.pando.api.plugin.KvPage;
import dev.pando.host.kv.ScopedKv;
import dev.pando.node.auth.Principal;
import dev.pando.node.dispatch.CallContext;
import dev.pando.node.dispatch.OpSpec;
import dev.pando.node.events.EventBus;
import dev.pando.node.kv.MemoryStorage;
import dev.pando.node.kv.StateStore;
import dev.pando.node.kv.StoreOptions;
import dev.pando.node.kv.WriteOptions;
import dev.pando.node.plugins.NodeHostServices;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue #12 item 4: a scan cursor must not reveal keys the caller may not read. Hidden keys sit
 * between visible ones; paging with small limits must return exactly the visible keys, and no
 * cursor, decoded every obvious way, may contain a hidden key's name or prefix.
 */
class ScanCursorLeakTest {
    private static final List<String> SECRETS = List.of("sekrit-sys-name", "sekrit-plugin-name", "/_sys", "/_plugins/other");

    private StateStore store;
    private final List<String> visible = new ArrayList<>();

    @BeforeEach
    void fill() {
        store = StateStore.open(new MemoryStorage(), StoreOptions.defaults("n"));
        // Many hidden keys, so a page's examine budget can run out among them.
        IntStream.range(0, 2_500).forEach(i -> put(String.format("/_sys/sekrit-sys-name/%05d", i)));
        IntStream.range(0, 2_500).forEach(i -> put(String.format("/_plugins/other/sekrit-plugin-name/%05d", i)));
        for (String k : List.of("/_plugins/reader/mine", "/a/1", "/a/2", "/zz/1", "/_a", "/_q/1", "/_t/2")) {
            put(k);
            visible.add(k);
        }
        visible.sort(null);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void put(String key) {
        store.set(key, TextNode.valueOf("v"), WriteOptions.by("test")).join();
    }

    @Test
    void aRootPluginsCursorsNameNoHiddenKey() {
        PluginManifest m = ManifestParser.parse(("{\"id\":\"reader\",\"version\":\"1.0.0\",\"apiVersion\":1,"
                + "\"kv\":{\"read\":[\"/\"]}}").getBytes(StandardCharsets.UTF_8));
        ScopedKv kv = new ScopedKv(m, new NodeHostServices(store, new EventBus()));
        for (int limit : new int[] {1, 2, 3}) {
            List<String> seen = new ArrayList<>();
            List<String> cursors = new ArrayList<>();
            String after = null;
            do {
                KvPage page = kv.scan("/", after, limit);
                page.entries().stream().map(KvEntry::key).forEach(seen::add);
                after = page.next().orElse(null);
                if (after != null) {
                    cursors.add(after);
                }
            } while (after != null);
            assertThat(seen).as("limit %d", limit).containsExactlyElementsOf(visible);
            cursors.forEach(ScanCursorLeakTest::assertRevealsNothing);
        }
    }

    @Test
    void aWireClientsCursorsNameNoKeyOutsideItsGrants() throws Exception {
        Principal reader = new Principal("reader", List.of(Scope.parse("read:/a/**"), Scope.parse("read:/zz/**"),
                Scope.parse("read:/_q/**"), Scope.parse("read:/_t/**"), Scope.parse("read:/_a")), "reader");
        OpSpec scan = new KvOps(store, Runnable::run).specs().stream().filter(s -> s.op().equals("kv.scan")).findFirst().orElseThrow();
        List<String> seen = new ArrayList<>();
        List<String> cursors = new ArrayList<>();
        String cursor = null;
        do {
            ObjectNode args = JsonNodeFactory.instance.objectNode().put("pattern", "/**").put("limit", 1);
            if (cursor != null) {
                args.put("cursor", cursor);
            }
            JsonNode page = scan.handler().handle(new CallContext(reader, TextNode.valueOf("r"), null), args)
                    .toCompletableFuture().join();
            page.path("entries").forEach(e -> seen.add(e.path("key").asText()));
            cursor = page.path("cursor").isNull() ? null : page.path("cursor").asText();
            if (cursor != null) {
                cursors.add(cursor);
            }
        } while (cursor != null);
        assertThat(seen).containsExactly("/_a", "/_q/1", "/_t/2", "/a/1", "/a/2", "/zz/1");
        cursors.forEach(ScanCursorLeakTest::assertRevealsNothing);
    }

    @Test
    void aTamperedOrForeignCursorIsRefusedAndAPluginMadeTokenStillSeeks() {
        PluginManifest m = ManifestParser.parse(("{\"id\":\"reader\",\"version\":\"1.0.0\",\"apiVersion\":1,"
                + "\"kv\":{\"read\":[\"/\"]}}").getBytes(StandardCharsets.UTF_8));
        ScopedKv kv = new ScopedKv(m, new NodeHostServices(store, new EventBus()));
        String next = kv.scan("/", null, 1).next().orElseThrow();
        // Flip a character in the middle: the last base64 character may carry only padding bits.
        int mid = next.length() / 2;
        String tampered = next.substring(0, mid) + (next.charAt(mid) == 'A' ? 'B' : 'A') + next.substring(mid + 1);
        assertThatThrownBy(() -> kv.scan("/", tampered, 1)).isInstanceOfSatisfying(PandoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        // A cursor resumes only the query that made it.
        assertThatThrownBy(() -> kv.scan("/a", next, 1)).isInstanceOfSatisfying(PandoException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        // resumeAfter tokens (the journal's seek) position without revealing anything new.
        assertThat(kv.scan("/", KvPage.resumeAfter("/a/1"), 10).entries()).extracting(KvEntry::key)
                .containsExactly("/a/2", "/zz/1");
        // Past 2,500 hidden keys a page may come back empty (its examine budget ran out), but the
        // next visible key is the next one returned.
        KvPage page = kv.scan("/", KvPage.resumeAfter("/_plugins/other"), 1);
        while (page.entries().isEmpty() && page.next().isPresent()) {
            page = kv.scan("/", page.next().get(), 1);
        }
        assertThat(page.entries()).extracting(KvEntry::key).containsExactly("/_plugins/reader/mine");
    }

    /** The cursor, read as raw text, base64, base64url and hex, holds no hidden name or prefix. */
    private static void assertRevealsNothing(String cursor) {
        List<String> readings = new ArrayList<>();
        readings.add(cursor);
        String body = cursor.replaceAll("[^A-Za-z0-9+/_=-]", "");
        for (String candidate : List.of(cursor, body, body.length() > 1 ? body.substring(1) : body)) {
            for (Base64.Decoder d : List.of(Base64.getDecoder(), Base64.getUrlDecoder(), Base64.getMimeDecoder())) {
                try {
                    readings.add(new String(d.decode(candidate), StandardCharsets.ISO_8859_1));
                } catch (IllegalArgumentException ignored) {
                    // not this encoding
                }
            }
            try {
                readings.add(new String(HexFormat.of().parseHex(candidate.toLowerCase(Locale.ROOT)), StandardCharsets.ISO_8859_1));
            } catch (IllegalArgumentException ignored) {
                // not hex
            }
        }
        for (String r : readings) {
            for (String secret : SECRETS) {
                assertThat(r).as("cursor %s", cursor).doesNotContain(secret);
            }
            assertThat(r).as("cursor %s", cursor).doesNotContain("sekrit");
        }
    }
}
