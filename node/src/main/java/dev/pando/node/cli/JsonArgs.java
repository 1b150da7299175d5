package dev.pando.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Parses JSON command-line arguments ({@code -} reads stdin), naming the argument when it is not JSON. */
final class JsonArgs {
    private static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonArgs() {}

    /**
     * @param label the argument as the usage shows it, e.g. {@code <json>}
     * @throws ParameterException (exit code 2) with one line saying what is wrong
     */
    static JsonNode parse(CommandSpec spec, String label, String text) {
        String source = text;
        if ("-".equals(text)) {
            try {
                InputStream in = PandoCli.of(spec).stdin();
                source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "cannot read " + label + " from stdin: " + e.getMessage());
            }
        }
        if (source.isBlank()) {
            throw new ParameterException(spec.commandLine(), label + " is empty; pass a JSON value such as 42, true, '\"text\"' or '{\"a\":1}'");
        }
        try {
            return STRICT.readTree(source);
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage().lines().findFirst().orElse("").replaceAll("\\s*\\(for .*$", "");
            boolean bareWord = looksLikeBareWord(source);
            // For a bare word the column is noise; the quoting hint is what helps.
            String at = bareWord || e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
            String hint = bareWord ? "; to pass a string, quote it: '\"" + source.trim() + "\"'" : "";
            throw new ParameterException(spec.commandLine(), label + " is not valid JSON" + at + ": " + reason + hint);
        }
    }

    private static boolean looksLikeBareWord(String s) {
        String t = s.trim();
        return !t.isEmpty() && t.length() < 80 && !t.contains("\"") && "{[".indexOf(t.charAt(0)) < 0;
    }
}
