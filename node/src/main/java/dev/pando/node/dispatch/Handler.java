package dev.pando.node.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * Serves one op. Throw {@link dev.pando.api.PandoException} (or complete the stage with it) for
 * a typed failure; anything else becomes {@code INTERNAL}. Handlers run on worker threads unless
 * their {@link OpSpec} says {@link OpSpec.Execution#INLINE}.
 */
@FunctionalInterface
public interface Handler {
    CompletionStage<JsonNode> handle(CallContext ctx, JsonNode args) throws Exception;
}
