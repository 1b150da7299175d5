package dev.pando.api.manifest;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;

/** A manifest that cannot be accepted; the message names the field and the problem. */
public final class ManifestException extends PandoException {
    private static final long serialVersionUID = 1L;

    public ManifestException(String field, String problem) {
        super(ErrorCode.BAD_REQUEST, "manifest " + (field.isEmpty() ? "" : field + ": ") + problem);
    }
}
