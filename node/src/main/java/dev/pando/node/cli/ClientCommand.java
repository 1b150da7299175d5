package dev.pando.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of commands that talk to a node: the shared options and output helpers. */
abstract class ClientCommand implements Callable<Integer> {
    @Mixin
    ClientOptions node;

    @Spec
    CommandSpec spec;

    /** Prints one JSON line on stdout. */
    boolean print(JsonNode value) {
        return Output.line(spec.commandLine().getOut(), value);
    }

    /** Parses a JSON argument ({@code -} = stdin); a bad one is a usage error naming {@code label}. */
    JsonNode json(String label, String text) {
        return JsonArgs.parse(spec, label, text);
    }
}
