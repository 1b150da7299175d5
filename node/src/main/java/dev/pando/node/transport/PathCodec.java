package dev.pando.node.transport;

import dev.pando.api.PandoException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Maps URL paths to keys. Segments are percent-decoded one by one (UTF-8; {@code +} stays a
 * plus, it only means space in query strings), so {@code %2F} cannot smuggle a separator into a
 * key: a decoded segment containing {@code /} is rejected rather than silently re-split.
 */
final class PathCodec {
    private PathCodec() {}

    /**
     * {@code a/b%20c} → {@code /a/b c}.
     *
     * @param rawPath the part of the URL path after {@code /v1/kv/}, still encoded
     * @throws PandoException {@code BAD_REQUEST} for an empty path, bad percent-encoding, or a
     *                        decoded segment containing {@code /}
     */
    static String keyFromPath(String rawPath) {
        if (rawPath.isEmpty()) {
            throw PandoException.badRequest("missing key: use /v1/kv/{path}");
        }
        StringBuilder key = new StringBuilder(rawPath.length() + 1);
        int start = 0;
        while (true) {
            int slash = rawPath.indexOf('/', start);
            String raw = slash < 0 ? rawPath.substring(start) : rawPath.substring(start, slash);
            String segment = decodeSegment(raw);
            if (segment.indexOf('/') >= 0) {
                throw PandoException.badRequest("path segment '" + raw + "' decodes to one containing '/'; "
                        + "a key's segments cannot contain '/'");
            }
            key.append('/').append(segment);
            if (slash < 0) {
                return key.toString();
            }
            start = slash + 1;
        }
    }

    /** Percent-decodes one path segment as UTF-8. */
    static String decodeSegment(String raw) {
        int pct = raw.indexOf('%');
        if (pct < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        byte[] plain = raw.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < plain.length; i++) {
            byte b = plain[i];
            if (b != '%') {
                bytes.write(b);
                continue;
            }
            int hi = i + 2 < plain.length ? Character.digit(plain[i + 1], 16) : -1;
            int lo = hi >= 0 ? Character.digit(plain[i + 2], 16) : -1;
            if (lo < 0) {
                throw PandoException.badRequest("malformed percent-encoding in path segment '" + raw + "'");
            }
            bytes.write((hi << 4) | lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw PandoException.badRequest("path segment '" + raw + "' is not valid UTF-8 once decoded");
        }
    }
}
