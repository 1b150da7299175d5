package dev.pando.api.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.pando.api.PandoException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * The node's rules for JSON that arrives from outside (clients, guests, plugins): strict UTF-8,
 * no duplicate keys, no trailing tokens, finite numbers only, and a nesting limit low enough
 * that whatever passes can always be serialised, stored, read back, fed and pushed.
 */
public final class JsonRules {
    /** Default for {@code limits.max-json-depth}: arrays/objects nested inside one another. */
    public static final int DEFAULT_MAX_DEPTH = 64;
    /**
     * The highest depth the limit may be configured to. Jackson's readers and writers refuse
     * beyond 500-1000 levels, and a stored change wraps the value in a few levels more.
     */
    public static final int MAX_CONFIGURABLE_DEPTH = 256;

    /**
     * Parser-level ceiling, above any configurable limit: the parser stops a hostile document
     * early, the exact limit (with its message) is checked on the tree afterwards.
     */
    private static final int PARSER_DEPTH_CEILING = MAX_CONFIGURABLE_DEPTH + 8;

    private static final ObjectMapper STRICT = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(PARSER_DEPTH_CEILING).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * What any default Jackson reader (the store's record decoder among them) accepts: values
     * built in code (native plugins) are held to it too, so nothing stored fails to read back.
     */
    private static final StreamReadConstraints READ = StreamReadConstraints.defaults();

    private JsonRules() {}

    /**
     * The mapper for untrusted JSON: trailing tokens and duplicate keys are errors, nesting is
     * capped. Thread-safe; do not reconfigure.
     */
    public static ObjectMapper strictMapper() {
        return STRICT;
    }

    /** Checks a configured depth limit; for option records. */
    public static int requireDepthLimit(int maxDepth) {
        if (maxDepth < 1 || maxDepth > MAX_CONFIGURABLE_DEPTH) {
            throw new IllegalArgumentException("max JSON depth must be 1.." + MAX_CONFIGURABLE_DEPTH + ", got " + maxDepth);
        }
        return maxDepth;
    }

    /**
     * Decodes UTF-8 strictly: overlong forms ({@code C0 AF}), encoded surrogates and truncated
     * sequences are refused, never replaced or folded into other characters.
     *
     * @throws PandoException {@code BAD_REQUEST} naming {@code what}
     */
    public static String decodeUtf8(ByteBuffer bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw PandoException.badRequest(what + " is not valid UTF-8");
        }
    }

    /**
     * Parses one JSON value from {@code bytes} under these rules and checks it with
     * {@link #requireWithin}.
     *
     * @return the value, or a missing node when {@code bytes} hold only whitespace
     * @throws PandoException {@code BAD_REQUEST} naming {@code what}
     */
    public static JsonNode parse(byte[] bytes, int maxDepth, String what) {
        JsonNode node;
        try {
            node = readTree(STRICT, bytes, what);
        } catch (JsonProcessingException e) {
            if (isNestingLimit(e)) {
                throw tooDeep(what, maxDepth);
            }
            throw PandoException.badRequest(what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw PandoException.badRequest(what + " cannot be read: " + e.getMessage());
        }
        if (node == null) {
            return MissingNode.getInstance();
        }
        requireWithin(node, maxDepth, what);
        return node;
    }

    /**
     * Reads one tree from {@code bytes} with {@code mapper}, the UTF-8 checked strictly first
     * ({@link #decodeUtf8}): Jackson's own UTF-8 reader folds overlong forms ({@code C0 AF} is
     * {@code /}). Bytes that are all ASCII have one reading and go to Jackson as they are, which
     * skips a decoding pass and a copy as text; the rest is decoded, then parsed.
     *
     * @return the tree, or null when {@code bytes} hold only whitespace
     * @throws PandoException {@code BAD_REQUEST} naming {@code what}, for bytes that are not UTF-8
     * @throws IOException    as {@link ObjectMapper#readTree(byte[])}
     */
    public static JsonNode readTree(ObjectMapper mapper, byte[] bytes, String what) throws IOException {
        if (isAscii(bytes)) {
            return mapper.readTree(bytes);
        }
        return mapper.readTree(decodeUtf8(ByteBuffer.wrap(bytes), what));
    }

    /** True if every byte is below 0x80. */
    static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** True if the parser gave up at its nesting ceiling: the input is far over any limit. */
    public static boolean isNestingLimit(JsonProcessingException e) {
        return e instanceof StreamConstraintsException && String.valueOf(e.getOriginalMessage()).contains("nesting depth");
    }

    /** The {@code BAD_REQUEST} for a value nested deeper than {@code maxDepth}. */
    public static PandoException tooDeep(String what, int maxDepth) {
        return PandoException.badRequest(what + " is nested more than " + maxDepth
                + " levels deep (limits.max-json-depth)");
    }

    /**
     * Refuses a value nested deeper than {@code maxDepth} (a scalar is depth 0, {@code []} and
     * {@code {}} depth 1), holding a number that is not finite ({@code 1e999999} parses as
     * infinity: storing it would change its meaning), or holding a number, string or member
     * name longer than Jackson's readers accept.
     *
     * @throws PandoException {@code BAD_REQUEST} naming {@code what} and the limit
     */
    public static void requireWithin(JsonNode value, int maxDepth, String what) {
        requireWithin(value, maxDepth, 0, what);
    }

    /**
     * As {@link #requireWithin(JsonNode, int, String)} for a document that wraps values in
     * {@code envelope} levels of its own (a request frame around its args).
     */
    public static void requireWithin(JsonNode value, int maxDepth, int envelope, String what) {
        check(value, -envelope, maxDepth, what);
    }

    private static void check(JsonNode node, int depth, int maxDepth, String what) {
        if (node.isContainerNode()) {
            if (depth + 1 > maxDepth) {
                throw tooDeep(what, maxDepth);
            }
            if (node.isObject()) {
                for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                    if (names.next().length() > READ.getMaxNameLength()) {
                        throw PandoException.badRequest(what + " has a member name longer than "
                                + READ.getMaxNameLength() + " characters");
                    }
                }
            }
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                check(it.next(), depth + 1, maxDepth, what);
            }
        } else if (node.isNumber()) {
            // The node reads floating-point numbers back as doubles: one that overflows would
            // come back as infinity, so it is refused rather than silently changed.
            if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
                throw PandoException.badRequest(what + " holds a number that overflows a double");
            }
            if ((node.isBigInteger() || node.isBigDecimal()) && node.asText().length() > READ.getMaxNumberLength()) {
                throw PandoException.badRequest(what + " holds a number longer than "
                        + READ.getMaxNumberLength() + " characters");
            }
        } else if (node.isTextual() && node.textValue().length() > READ.getMaxStringLength()) {
            throw PandoException.badRequest(what + " holds a string longer than "
                    + READ.getMaxStringLength() + " characters");
        }
    }
}
