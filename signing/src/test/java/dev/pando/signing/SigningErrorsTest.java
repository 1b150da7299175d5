package dev.pando.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Signing's failures share Pando's one exception root: a code for programs, the message for people. */
class SigningErrorsTest {

    @Test
    void unusableKeyTextIsABadRequest() {
        PandoException e = catchThrowableOfType(PandoException.class, () -> Ed25519Keys.readPublic("abcd"));
        assertThat(e).isInstanceOf(KeyFormatException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e).hasMessage("is 4 hex characters; an Ed25519 public key is 64");
    }

    @Test
    void aMalformedBundleIsABadRequest() {
        PandoException e = catchThrowableOfType(PandoException.class, () -> WasmBundle.read("nope".getBytes(StandardCharsets.UTF_8)));
        assertThat(e).isInstanceOf(WasmBundleException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e).hasMessage("the file is 4 bytes; a WASM module starts with an 8-byte header");
    }

    @Test
    void aRefusedSignatureIsForbiddenWithItsReason() {
        PandoException e = catchThrowableOfType(PandoException.class, () -> DetachedSignature.parse("hello"));
        assertThat(e).isInstanceOf(SignatureException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(((SignatureException) e).reason()).isEqualTo(SignatureException.Reason.MALFORMED);
        assertThat(e).hasMessage("the signature file is malformed: it does not start with 'pando-signature v1'");
    }
}
