package dev.pando.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Thrown by {@link TestNode#installWasm}, {@link TestNode#install} and {@link TestNode#uninstall}
 * when the node's reload did not do what was asked: the file's outcome is {@code FAILED} (the
 * message carries the node's reason, e.g. {@code UNTRUSTED_SIGNER: ...} or
 * {@code manifest ops[0].name: ...}), or the report has no outcome for the file at all.
 */
public class PluginInstallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Optional<PluginOutcome> outcome;
    private final transient JsonNode report;

    /** {@code outcome}: the file's, if the report had one; {@code report}: the reload report. */
    public PluginInstallException(String message, Optional<PluginOutcome> outcome, JsonNode report) {
        super(message);
        this.outcome = outcome;
        this.report = report;
    }

    /** The file's outcome; empty when the report had none for it. */
    public Optional<PluginOutcome> outcome() {
        return outcome;
    }

    /** The whole {@code admin.reload} report. */
    public JsonNode report() {
        return report;
    }
}
