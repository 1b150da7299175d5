package dev.pando.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The public keys whose signatures a node accepts. Loaded from a file with one public key per
 * entry in any {@link KeyFormat} (an OpenSSH line, a hex line, or a PEM block over several
 * lines); blank lines and lines starting with {@code #} are ignored. Or from a directory: every
 * regular file in it, except hidden ones, is such a file (not recursive). A bad entry is a
 * {@link KeyFormatException} naming the file and line.
 */
public final class TrustedKeys {
    /** Trust files larger than this are refused: a mistake, not a key list. */
    static final long MAX_FILE_BYTES = 1024 * 1024;

    private final Set<String> keys;

    private TrustedKeys(Set<String> hexKeys) {
        this.keys = Set.copyOf(hexKeys);
    }

    /** Trusts exactly {@code publicKeys} (32 bytes each). */
    public static TrustedKeys of(Collection<byte[]> publicKeys) {
        Set<String> hex = new TreeSet<>();
        for (byte[] key : publicKeys) {
            if (key.length != Ed25519KeyPair.PUBLIC_KEY_BYTES) {
                throw new IllegalArgumentException("an Ed25519 public key is " + Ed25519KeyPair.PUBLIC_KEY_BYTES + " bytes, got " + key.length);
            }
            hex.add(HexFormat.of().formatHex(key));
        }
        return new TrustedKeys(hex);
    }

    public static TrustedKeys of(byte[]... publicKeys) {
        return of(List.of(publicKeys));
    }

    /** Loads a trust file, or every non-hidden regular file in a directory. */
    public static TrustedKeys load(Path fileOrDirectory) throws IOException {
        if (!Files.isDirectory(fileOrDirectory)) {
            return parse(readFile(fileOrDirectory), fileOrDirectory.toString());
        }
        Set<String> all = new TreeSet<>();
        List<Path> files;
        try (Stream<Path> listing = Files.list(fileOrDirectory)) {
            files = listing.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(".")) // editor swap files, .DS_Store, …
                    .sorted().toList();
        }
        for (Path file : files) {
            all.addAll(parse(readFile(file), file.toString()).keys);
        }
        return new TrustedKeys(all);
    }

    /**
     * Parses trust-file text.
     *
     * @param source names the text in error messages ({@code source:line: problem})
     */
    public static TrustedKeys parse(String text, String source) {
        List<String> lines = text.lines().toList();
        Set<String> hex = new TreeSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int firstLine = i + 1;
            String entry = line;
            if (line.startsWith("-----BEGIN ")) {
                StringBuilder block = new StringBuilder(line).append('\n');
                do {
                    if (++i == lines.size()) {
                        throw new KeyFormatException(source + ":" + firstLine + ": the PEM block starting here has no -----END line");
                    }
                    line = lines.get(i).strip();
                    block.append(line).append('\n');
                } while (!line.startsWith("-----END "));
                entry = block.toString();
            }
            try {
                hex.add(HexFormat.of().formatHex(Ed25519Keys.readPublic(entry)));
            } catch (KeyFormatException e) {
                throw new KeyFormatException(source + ":" + firstLine + ": " + e.getMessage(), e);
            }
        }
        return new TrustedKeys(hex);
    }

    public boolean contains(byte[] publicKey) {
        return publicKey != null && keys.contains(HexFormat.of().formatHex(publicKey));
    }

    /** The {@link Ed25519KeyPair#fingerprint fingerprints} of the trusted keys, sorted. */
    public SortedSet<String> fingerprints() {
        SortedSet<String> out = new TreeSet<>();
        for (String key : keys) {
            out.add(Ed25519KeyPair.fingerprint(HexFormat.of().parseHex(key)));
        }
        return Collections.unmodifiableSortedSet(out);
    }

    public int size() {
        return keys.size();
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    @Override
    public String toString() {
        return "TrustedKeys" + fingerprints();
    }

    private static String readFile(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new KeyFormatException(file + ": is " + size + " bytes, too large for a trusted-keys file");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
