package dev.pando.node.cli;

import dev.pando.api.PandoException;
import dev.pando.client.PandoConnectionException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * Turns every failure into one {@code error: …} line on stderr and an exit code: usage problems
 * 2, node errors 1, connection problems 3. Stack traces only with {@code PANDO_DEBUG=1}.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    private final boolean debug;

    ErrorReporter(boolean debug) {
        this.debug = debug;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String line = "error: " + ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u) {
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) {
                line += " (did you mean " + String.join(" or ", suggestions.subList(0, Math.min(3, suggestions.size()))) + "?)";
            }
        }
        PrintWriter err = cmd.getErr();
        err.println(line + " — see '" + cmd.getCommandSpec().qualifiedName() + " --help'");
        trace(err, ex);
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        int code;
        // A connection failure is a PandoException too (UNAVAILABLE), but the node said nothing.
        if (ex instanceof PandoConnectionException e) {
            err.println("error: " + e.getMessage());
            code = ExitCodes.CONNECTION;
        } else if (ex instanceof PandoException e) {
            err.println("error: " + describe(e));
            code = ExitCodes.REQUEST;
        } else if (ex instanceof CliFailure e) {
            err.println("error: " + e.getMessage());
            code = e.exitCode();
        } else {
            err.println("error: unexpected " + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage())
                    + (debug ? "" : " (set PANDO_DEBUG=1 for details)"));
            code = ExitCodes.REQUEST;
        }
        trace(err, ex);
        err.flush();
        return code;
    }

    /** One line for humans: {@code CONFLICT: revision mismatch for /a (expected 3, found 5)}. */
    static String describe(PandoException e) {
        String line = e.code().name() + ": " + e.getMessage();
        return e.retryAfterMillis() > 0 ? line + " (retry after " + e.retryAfterMillis() + " ms)" : line;
    }

    private void trace(PrintWriter err, Exception ex) {
        if (debug) {
            ex.printStackTrace(err);
        }
    }
}
