package dev.pando.node.cli;

/** Process exit codes of {@code pando}, stable for scripts. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** The node answered with an error (ok:false), or a command-specific failure. */
    public static final int REQUEST = 1;
    /** Bad command line: unknown option, missing argument, invalid JSON argument, bad config. */
    public static final int USAGE = 2;
    /** The node could not be reached, or the connection was lost. */
    public static final int CONNECTION = 3;

    private ExitCodes() {}
}
