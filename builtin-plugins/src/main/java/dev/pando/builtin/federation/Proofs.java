package dev.pando.builtin.federation;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import dev.pando.api.plugin.Replica;
import dev.pando.signing.Ed25519KeyPair;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The handshake's signatures. Each side signs the other's fresh nonce together with both node
 * ids, under a label saying which step it is, so a proof answers exactly one challenge of one
 * handshake between exactly these two nodes and cannot be replayed elsewhere:
 * <pre>
 * hello (hub proves):  "federation-hello:" + leafNonce + ":" + leafNode + ":" + hubNode
 * join  (leaf proves): "federation-join:"  + hubNonce  + ":" + hubNode  + ":" + leafNode
 * </pre>
 * signed by the node key under {@link Replica#SIGNING_CONTEXT}.
 */
final class Proofs {
    static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Proofs() {}

    static String nonce() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HEX.formatHex(b);
    }

    static String hello(String leafNonce, String leafNode, String hubNode) {
        return "federation-hello:" + leafNonce + ":" + leafNode + ":" + hubNode;
    }

    static String join(String hubNonce, String hubNode, String leafNode) {
        return "federation-join:" + hubNonce + ":" + hubNode + ":" + leafNode;
    }

    static String sign(Replica replica, String message) {
        return HEX.formatHex(replica.signAsNode(message.getBytes(StandardCharsets.UTF_8)));
    }

    /** Throws {@code UNAUTHORIZED} unless {@code proof} is {@code key}'s signature over {@code message}. */
    static void verify(byte[] key, String message, String proof, String who) {
        byte[] signature;
        try {
            signature = HEX.parseHex(proof);
        } catch (IllegalArgumentException e) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, who + "'s proof is not hex");
        }
        byte[] signed = (Replica.SIGNING_CONTEXT + message).getBytes(StandardCharsets.UTF_8);
        if (!Ed25519KeyPair.verify(key, signed, signature)) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, who + "'s proof does not verify against its key");
        }
    }

    /** The key, checked to be the one {@code node}'s id is derived from ({@code n} + fingerprint). */
    static byte[] keyOf(String node, String keyHex) {
        byte[] key;
        try {
            key = HEX.parseHex(keyHex);
        } catch (IllegalArgumentException e) {
            throw PandoException.badRequest("'key' must be the node's Ed25519 public key in hex");
        }
        if (key.length != Ed25519KeyPair.PUBLIC_KEY_BYTES || !node.equals("n" + Ed25519KeyPair.fingerprint(key))) {
            throw new PandoException(ErrorCode.UNAUTHORIZED, "node id '" + node + "' is not derived from the key presented");
        }
        return key;
    }
}
