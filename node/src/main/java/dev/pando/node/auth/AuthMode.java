package dev.pando.node.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Whether callers without a token are served ({@code auth.mode}). */
public enum AuthMode {
    /** Callers without a token may read, write, publish and subscribe; only on a loopback bind. */
    OPEN,
    /** Every request needs a valid token, except the few ops that need no access (health, the registry's challenge). */
    AUTHENTICATED;

    /**
     * The mode {@code auth.mode} asks for on {@code bind}: {@code auto} is open on loopback and
     * authenticated otherwise; {@code open} beyond loopback is refused, because anyone who can reach
     * the node could then read and write.
     */
    public static AuthMode resolve(String configured, String bind) {
        boolean loopback;
        try {
            loopback = InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve bind address '" + bind + "'");
        }
        return switch (configured) {
            case "auto" -> loopback ? OPEN : AUTHENTICATED;
            case "authenticated" -> AUTHENTICATED;
            case "open" -> {
                if (!loopback) {
                    throw new IllegalStateException("refusing to bind " + bind + " in open mode: anyone who can reach it could read and write. "
                            + "Set auth.mode=authenticated (clients then need a token), or bind 127.0.0.1.");
                }
                yield OPEN;
            }
            default -> throw new IllegalArgumentException("config key 'auth.mode' must be auto, open or authenticated, got '" + configured + "'");
        };
    }
}
