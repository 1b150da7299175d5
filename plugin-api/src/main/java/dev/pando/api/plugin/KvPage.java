package dev.pando.api.plugin;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a scan, in key order: the one page type of the store, the host and plugins.
 * {@code next} is empty on the last page. A page may hold fewer than the limit asked for and still
 * have a {@code next} (a scan bounds how many keys one page may examine).
 *
 * <p>A scan token is a position in key order, passed back as a scan's {@code after}. The
 * {@link #next()} a host hands out is opaque and may be sealed (a page can stop on a key the
 * caller may not read, and the token must not name it): it resumes only the scan that made it.
 * {@link #resumeAfter(String)} makes a plain token positioned after any key the plugin already
 * knows, for seeking.
 */
public record KvPage(List<KvEntry> entries, Optional<String> next) {
    private static final Base64.Encoder TOKENS = Base64.getUrlEncoder().withoutPadding();

    public KvPage {
        entries = List.copyOf(entries);
        Objects.requireNonNull(next, "next");
    }

    /** The last page of a scan. */
    public static KvPage last(List<KvEntry> entries) {
        return new KvPage(entries, Optional.empty());
    }

    /** A page followed by more, from {@code next}. */
    public static KvPage more(List<KvEntry> entries, String next) {
        return new KvPage(entries, Optional.of(next));
    }

    /**
     * The {@code after} token that starts a scan just past {@code key}, which need not exist. A
     * plugin that keeps ordered keys of its own (a log, an index) seeks with it instead of paging
     * from the start.
     */
    public static String resumeAfter(String key) {
        return TOKENS.encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The key {@code token} positions after: the inverse of {@link #resumeAfter}, for hosts.
     * Sealed tokens from a host's {@link #next()} do not decode here.
     *
     * @throws IllegalArgumentException if {@code token} is not a plain scan token
     */
    public static String positionOf(String token) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(token);
            // A strict decode: malformed UTF-8 would otherwise become U+FFFD and seek elsewhere.
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw new IllegalArgumentException("not a scan token: '" + token + "'", e);
        }
    }
}
