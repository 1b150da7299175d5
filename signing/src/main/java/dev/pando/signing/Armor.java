package dev.pando.signing;

import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PEM-style armour ({@code -----BEGIN LABEL-----}, base64 lines, {@code -----END LABEL-----}) shared by PEM and OpenSSH keys. */
final class Armor {
    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----");

    private Armor() {}

    static String encode(String label, byte[] data, int lineWidth) {
        String base64 = Base64.getEncoder().encodeToString(data);
        StringBuilder text = new StringBuilder("-----BEGIN ").append(label).append("-----\n");
        for (int i = 0; i < base64.length(); i += lineWidth) {
            text.append(base64, i, Math.min(base64.length(), i + lineWidth)).append('\n');
        }
        return text.append("-----END ").append(label).append("-----\n").toString();
    }

    /** The label of the block {@code text} starts with, or null if it does not start with a BEGIN line. */
    static String label(String text) {
        String first = text.strip().lines().findFirst().orElse("").strip();
        Matcher m = BEGIN.matcher(first);
        return m.matches() ? m.group(1) : null;
    }

    /** The bytes of the single block that makes up all of {@code text} (surrounding whitespace allowed). */
    static byte[] decode(String text, String label) {
        List<String> lines = text.strip().lines().map(String::strip).toList();
        String end = "-----END " + label + "-----";
        if (lines.size() < 2 || !lines.get(lines.size() - 1).equals(end)) {
            throw new KeyFormatException("the " + label + " block does not end with '" + end + "' (truncated, or more than one block?)");
        }
        StringBuilder base64 = new StringBuilder();
        for (String line : lines.subList(1, lines.size() - 1)) {
            if (line.contains(":")) {
                // RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED" mark legacy encrypted PEM.
                throw new KeyFormatException("the " + label + " block has a header line '" + line + "'; encrypted or legacy PEM is not supported");
            }
            base64.append(line);
        }
        try {
            return Base64.getDecoder().decode(base64.toString());
        } catch (IllegalArgumentException e) {
            throw new KeyFormatException("the " + label + " block is not valid base64: " + e.getMessage(), e);
        }
    }
}
