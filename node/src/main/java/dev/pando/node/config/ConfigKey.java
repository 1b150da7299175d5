package dev.pando.node.config;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One configuration key: dotted name as written in {@code pando.yaml} (and, upper-cased with
 * {@code _} for {@code .} and {@code -}, as a {@code PANDO_*} environment variable), its type,
 * default and meaning.
 */
public final class ConfigKey<T> {
    private final String name;
    private final Class<T> type;
    private final T defaultValue;
    private final String doc;
    private final Function<String, T> parser;
    private final boolean list;

    /** @param list the value is a comma-separated list, which a config file may also give as a YAML sequence */
    ConfigKey(String name, Class<T> type, T defaultValue, String doc, Function<String, T> parser, boolean list) {
        this.name = Objects.requireNonNull(name);
        this.type = type;
        this.defaultValue = defaultValue;
        this.doc = doc;
        this.parser = parser;
        this.list = list;
    }

    public String name() {
        return name;
    }

    public Class<T> type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /** Whether the value is a comma-separated list (a YAML sequence in a config file). */
    public boolean isList() {
        return list;
    }

    /** {@code limits.max-body-bytes} → {@code PANDO_LIMITS_MAX_BODY_BYTES}. */
    public String envName() {
        return "PANDO_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    T parse(String text) {
        try {
            return parser.apply(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("config key '" + name + "': cannot read '" + text + "' as " + type.getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
