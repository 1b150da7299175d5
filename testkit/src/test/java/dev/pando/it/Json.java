package dev.pando.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Terse JSON building for tests. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static ObjectNode obj() {
        return MAPPER.createObjectNode();
    }

    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static JsonNode num(long n) {
        return MAPPER.getNodeFactory().numberNode(n);
    }

    static JsonNode text(String s) {
        return MAPPER.getNodeFactory().textNode(s);
    }
}
