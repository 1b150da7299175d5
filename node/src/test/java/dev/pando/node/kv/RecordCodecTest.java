package dev.pando.node.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.api.PandoException;
import dev.pando.api.plugin.KvChange;
import dev.pando.api.plugin.KvEntry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    /** A record as version 1 wrote it: no origin revision in the header. */
    private static byte[] version1(long revision, long timestamp, String origin, String writer, String key, String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1);
        out.writeBytes(RecordCodec.longBytes(revision));
        out.writeBytes(RecordCodec.longBytes(timestamp));
        for (String s : key == null ? new String[] {origin, writer} : new String[] {origin, writer, key}) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write(b.length);
            out.writeBytes(b);
        }
        if (key != null) {
            out.write(1);
        }
        out.writeBytes(json.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void version1RecordsReadAsLocalWritesWhoseOriginRevisionIsTheirRevision() {
        KvEntry e = RecordCodec.decodeEntry("/a", version1(7, 1000, "n1", "anonymous", null, "{\"x\":1}"));
        assertThat(e.revision()).isEqualTo(7);
        assertThat(e.originRevision()).isEqualTo(7);
        assertThat(e.writer()).isEqualTo("anonymous");
        assertThat(e.value().get("x").asInt()).isEqualTo(1);
        KvChange c = RecordCodec.decodeChange(version1(8, 1001, "n1", "w", "/b", "2"));
        assertThat(c.key()).isEqualTo("/b");
        assertThat(c.originRevision()).isEqualTo(8);
        assertThat(RecordCodec.revisionOf(version1(9, 1, "n", "w", null, "1"))).isEqualTo(9);
        assertThat(RecordCodec.timestampOf(version1(9, 123, "n", "w", null, "1"))).isEqualTo(123);
    }

    @Test
    void version2RoundTripsTheOriginRevision() {
        byte[] json = "true".getBytes(StandardCharsets.UTF_8);
        byte[] entry = RecordCodec.encodeEntry(5, 99, 4711, RecordCodec.utf8("nb"), RecordCodec.utf8("peer"), json);
        assertThat(RecordCodec.decodeEntry("/k", entry)).isEqualTo(new KvEntry("/k", RecordCodec.MAPPER.getNodeFactory().booleanNode(true),
                5, 99, "nb", "peer", 4711));
        assertThat(RecordCodec.revisionOf(entry)).isEqualTo(5);
        assertThat(RecordCodec.timestampOf(entry)).isEqualTo(99);
        byte[] change = RecordCodec.encodeChange(RecordCodec.utf8("/k"), 6, 100, 4712, RecordCodec.utf8("nb"), RecordCodec.utf8("peer"), null);
        KvChange c = RecordCodec.decodeChange(change);
        assertThat(c.isDelete()).isTrue();
        assertThat(c.originRevision()).isEqualTo(4712);
    }

    /** Records are encoded blank and stamped on the commit thread: the same bytes as encoding with the numbers. */
    @Test
    void stampingABlankRecordEqualsEncodingItNumbered() {
        byte[] json = "{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8);
        byte[] o = RecordCodec.utf8("node-x");
        byte[] w = RecordCodec.utf8("plugin:journal");
        byte[] k = RecordCodec.utf8("/_plugins/journal/e/0000000000000000042");
        long[][] numbers = {{1, 0, 1}, {Long.MAX_VALUE, 1_767_323_045_000L, 4711}, {0x0102030405060708L, -1, 255}};
        for (long[] n : numbers) {
            assertThat(RecordCodec.stamp(RecordCodec.encodeEntry(0, 0, 0, o, w, json), n[0], n[1], n[2]))
                    .isEqualTo(RecordCodec.encodeEntry(n[0], n[1], n[2], o, w, json));
            assertThat(RecordCodec.stamp(RecordCodec.encodeChange(k, 0, 0, 0, o, w, json), n[0], n[1], n[2]))
                    .isEqualTo(RecordCodec.encodeChange(k, n[0], n[1], n[2], o, w, json));
            assertThat(RecordCodec.stamp(RecordCodec.encodeChange(k, 0, 0, 0, o, w, null), n[0], n[1], n[2]))
                    .isEqualTo(RecordCodec.encodeChange(k, n[0], n[1], n[2], o, w, null));
        }
    }

    @Test
    void unknownVersionsAndTruncatedHeadersAreCorrupt() {
        byte[] entry = RecordCodec.encodeEntry(5, 99, 5, RecordCodec.utf8("n"), RecordCodec.utf8("w"), "1".getBytes(StandardCharsets.UTF_8));
        entry[0] = 3;
        assertThatThrownBy(() -> RecordCodec.decodeEntry("/k", entry)).isInstanceOf(PandoException.class);
        byte[] shortV2 = new byte[20];
        shortV2[0] = 2;
        assertThatThrownBy(() -> RecordCodec.decodeEntry("/k", shortV2)).isInstanceOf(PandoException.class);
    }
}
