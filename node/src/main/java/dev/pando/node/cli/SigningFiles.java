package dev.pando.node.cli;

import dev.pando.signing.Ed25519KeyPair;
import dev.pando.signing.Ed25519Keys;
import dev.pando.signing.KeyFormatException;
import dev.pando.signing.TrustedKeys;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * File access for the signing commands. Inputs the user names (keys, trusted keys, manifests,
 * modules) that cannot be read are usage errors (exit 2) naming the file; failing to write an
 * output is exit 1.
 */
final class SigningFiles {
    private SigningFiles() {}

    static Ed25519KeyPair privateKey(Path file) {
        try {
            return Ed25519Keys.readPrivate(file);
        } catch (KeyFormatException e) {
            throw new CliFailure(e.getMessage(), ExitCodes.USAGE, e);
        } catch (IOException e) {
            throw new CliFailure("cannot read key " + file + ": " + describe(e), ExitCodes.USAGE, e);
        }
    }

    static TrustedKeys trusted(Path fileOrDirectory) {
        try {
            return TrustedKeys.load(fileOrDirectory);
        } catch (KeyFormatException e) {
            throw new CliFailure(e.getMessage(), ExitCodes.USAGE, e);
        } catch (IOException e) {
            throw new CliFailure("cannot read trusted keys " + fileOrDirectory + ": " + describe(e), ExitCodes.USAGE, e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CliFailure("cannot read " + file + ": " + describe(e), ExitCodes.USAGE, e);
        }
    }

    static void write(Path file, byte[] content) {
        try {
            Files.write(file, content);
        } catch (IOException e) {
            throw new CliFailure("cannot write " + file + ": " + describe(e), ExitCodes.REQUEST, e);
        }
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
