package dev.pando.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Writes results as compact JSON, one value per line, flushed at once (output may be piped). */
public final class Output {
    static final ObjectMapper JSON = new ObjectMapper();

    private Output() {}

    /**
     * Prints {@code value} as one line.
     *
     * @return false if stdout is gone (e.g. {@code | head -1} exited), so streaming commands can stop
     */
    public static boolean line(PrintWriter out, JsonNode value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
        return !out.checkError();
    }
}
