package dev.pando.builtin.journal;

import static dev.pando.builtin.journal.JournalFixture.call;
import static dev.pando.host.testing.TestHost.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pando.api.ErrorCode;
import dev.pando.api.plugin.KvChange;
import dev.pando.host.HostServices;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JournalHmacTest {
    private static final String KEY = "{\"hmac\":{\"key\":\"hex:000102030405060708090a0b0c0d0e0f\"}}";
    private final JournalFixture f = new JournalFixture();

    @AfterEach
    void tearDown() {
        f.stopAll();
    }

    private JournalPlugin chained(int writes) {
        JournalPlugin j = f.journal(KEY, false);
        for (int i = 0; i < writes; i++) {
            f.write("/m/" + i, "{\"b\":" + i + ",\"a\":[1,{\"z\":1,\"y\":2}]}");
        }
        j.catchUp();
        return j;
    }

    @Test
    void chainVerifiesAndSurvivesRestartAndCompaction() {
        JournalPlugin j = chained(5);
        JsonNode entries = call(j, "journal.query", "{}").get("entries");
        assertThat(entries).allMatch(e -> e.get("mac").asText().length() == 64);
        assertThat(call(j, "journal.status", "{}").get("chained").asBoolean()).isTrue();
        JsonNode v = call(j, "journal.verify", "{}");
        assertThat(v.get("ok").asBoolean()).isTrue();
        assertThat(v.get("verified").asLong()).isEqualTo(5);

        JournalPlugin restarted = f.journal(KEY, false);
        f.write("/m/late", "1");
        restarted.catchUp();
        call(restarted, "journal.compact", "{\"keepLast\":2}");
        v = call(restarted, "journal.verify", "{}");
        assertThat(v.get("ok").asBoolean()).isTrue();
        assertThat(v.get("fromSeq").asLong()).isEqualTo(5);
        assertThat(v.get("verified").asLong()).isEqualTo(2);
    }

    @Test
    void verifyFindsATamperedEntry() {
        JournalPlugin j = chained(6);
        String key = JournalStore.entryKey(3);
        ObjectNode tampered = (ObjectNode) f.services.get(key).orElseThrow().value().deepCopy();
        tampered.put("value", 999);
        f.services.set(key, tampered, HostServices.NO_CAS, "admin");

        JsonNode v = call(j, "journal.verify", "{}");
        assertThat(v.get("ok").asBoolean()).isFalse();
        assertThat(v.get("firstBadSeq").asLong()).isEqualTo(3);
        assertThat(v.get("verified").asLong()).isEqualTo(2);
        assertThat(call(j, "journal.verify", "{\"fromSeq\":4}").get("ok").asBoolean()).isTrue();
    }

    @Test
    void verifyFindsAMissingOrMovedEntry() {
        JournalPlugin j = chained(4);
        JsonNode moved = f.services.get(JournalStore.entryKey(3)).orElseThrow().value();
        f.services.set(JournalStore.entryKey(2), moved, HostServices.NO_CAS, "admin");
        JsonNode v = call(j, "journal.verify", "{}");
        assertThat(v.get("firstBadSeq").asLong()).isEqualTo(2);
        assertThat(v.get("reason").asText()).contains("claims seq 3");

        f.services.delete(JournalStore.entryKey(2), "admin");
        v = call(j, "journal.verify", "{}");
        assertThat(v.get("firstBadSeq").asLong()).isEqualTo(2);
        assertThat(v.get("reason").asText()).contains("missing");
    }

    @Test
    void anotherKeyDoesNotVerify() {
        chained(2).stop();
        String otherKey = Base64.getEncoder().encodeToString(new byte[32]);
        JournalPlugin other = f.journal("{\"hmac\":{\"key\":\"base64:" + otherKey + "\"}}", false);
        JsonNode v = call(other, "journal.verify", "{}");
        assertThat(v.get("ok").asBoolean()).isFalse();
        assertThat(v.get("firstBadSeq").asLong()).isEqualTo(1);
    }

    @Test
    void verifyArgs() {
        JournalPlugin j = chained(3);
        assertRefused(() -> call(j, "journal.verify", "{\"toSeq\":9}"), ErrorCode.BAD_REQUEST, "'toSeq'", "beyond the last seq 3");
        assertRefused(() -> call(j, "journal.verify", "{\"fromSeq\":3,\"toSeq\":2}"), ErrorCode.BAD_REQUEST, "'fromSeq'");
        assertRefused(() -> call(j, "journal.verify", "{\"fromSeq\":0}"), ErrorCode.BAD_REQUEST, "'fromSeq'");
        JournalFixture plain = new JournalFixture();
        JournalPlugin unchained = plain.journal();
        assertRefused(() -> call(unchained, "journal.verify", "{}"), ErrorCode.BAD_REQUEST, "not chained");
        plain.stopAll();
    }

    @Test
    void canonicalBytesIgnoreMemberOrder() {
        JournalEntry a = entry(dev.pando.host.testing.TestHost.json("{\"a\":1,\"b\":{\"d\":1,\"c\":2}}"));
        JournalEntry b = entry(dev.pando.host.testing.TestHost.json("{\"b\":{\"c\":2,\"d\":1},\"a\":1}"));
        assertThat(a.canonicalBytes()).isEqualTo(b.canonicalBytes());
        HmacChain chain = new HmacChain(new byte[16]);
        assertThat(chain.mac(null, a)).isEqualTo(chain.mac(null, b)).isNotEqualTo(chain.mac(chain.mac(null, a), a));
    }

    private static JournalEntry entry(com.fasterxml.jackson.databind.JsonNode value) {
        return new JournalEntry(1, new KvChange("/k", value, 2, 3, "o", "w"), java.util.Optional.empty());
    }

    @Test
    void theSignedLayoutIsFrozenSoOlderChainsStillVerify() {
        // The bytes chains written by earlier versions were signed over: field order and names must never change.
        assertThat(new String(entry(dev.pando.host.testing.TestHost.json("{\"b\":1,\"a\":[2]}")).canonicalBytes(),
                java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"seq\":1,\"revision\":2,\"key\":\"/k\",\"value\":{\"a\":[2],\"b\":1},\"timestamp\":3,\"origin\":\"o\",\"writer\":\"w\"}");
        JournalEntry delete = new JournalEntry(4, KvChange.deleted("/k", 5, 6, "o", "w"), java.util.Optional.empty());
        assertThat(delete.isDelete()).isTrue();
        assertThat(new String(delete.canonicalBytes(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"seq\":4,\"revision\":5,\"key\":\"/k\",\"value\":null,\"timestamp\":6,\"origin\":\"o\",\"writer\":\"w\"}");
        assertThat(JournalEntry.fromJson(delete.toJson(), "test")).isEqualTo(delete);
    }

    /** Each link is HMAC-SHA256(key, previous link || canonical entry), link after link, on any thread. */
    @Test
    void eachLinkIsTheHmacOfThePreviousLinkAndTheEntry() throws Exception {
        byte[] key = new byte[16];
        key[3] = 7;
        HmacChain chain = new HmacChain(key);
        javax.crypto.Mac reference = javax.crypto.Mac.getInstance("HmacSHA256");
        reference.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        java.util.HexFormat hex = java.util.HexFormat.of();
        String previous = null;
        for (int i = 1; i <= 5; i++) {
            JournalEntry e = new JournalEntry(i, new KvChange("/k/" + i, dev.pando.host.testing.TestHost.json(String.valueOf(i)), i, 3, "o", "w"),
                    java.util.Optional.empty());
            if (previous != null) {
                reference.update(hex.parseHex(previous));
            }
            String expected = hex.formatHex(reference.doFinal(e.canonicalBytes()));
            String link = chain.mac(previous, e);
            assertThat(link).as("link %d", i).isEqualTo(expected);
            String[] onAnotherThread = new String[1];
            String prev = previous;
            Thread t = new Thread(() -> onAnotherThread[0] = chain.mac(prev, e));
            t.start();
            t.join();
            assertThat(onAnotherThread[0]).isEqualTo(expected);
            previous = link;
        }
    }
}
