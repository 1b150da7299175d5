package dev.pando.host.wasm;

import com.dylibso.chicory.runtime.Memory;
import dev.pando.api.ErrorCode;
import dev.pando.api.PandoException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounds-checked access to one instance's linear memory. Pointers and lengths come from the guest
 * and are unsigned 32-bit values; every access is checked here, against the current memory size
 * and the read cap, so that no guest value reaches Chicory's memory as an index it would reject
 * with an unchecked exception. Failures are {@code BAD_REQUEST} (outside memory, malformed text)
 * or {@code TOO_LARGE} (above the cap); callers decide what that means for them.
 */
final class GuestMemory {
    private final Memory memory;
    private final int maxReadBytes;

    GuestMemory(Memory memory, int maxReadBytes) {
        this.memory = memory;
        this.maxReadBytes = maxReadBytes;
    }

    /** The same memory with a different read cap. */
    GuestMemory capped(int maxBytes) {
        return new GuestMemory(memory, maxBytes);
    }

    /** Current size in bytes; memory only grows, but it may have grown since the last call. */
    long size() {
        return (long) memory.pages() * Memory.PAGE_SIZE;
    }

    byte[] read(int ptr, int len, String what) {
        long p = Integer.toUnsignedLong(ptr);
        long n = Integer.toUnsignedLong(len);
        if (n > maxReadBytes) {
            throw new PandoException(ErrorCode.TOO_LARGE, what + " is " + n + " bytes, above the limit of " + maxReadBytes);
        }
        requireInside(p, n, what);
        return memory.readBytes((int) p, (int) n);
    }

    /** Reads strictly decoded UTF-8: a key must not silently gain replacement characters. */
    String readUtf8(int ptr, int len, String what) {
        byte[] bytes = read(ptr, len, what);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw PandoException.badRequest(what + " is not valid UTF-8");
        }
    }

    void write(int ptr, byte[] data, int len, String what) {
        requireInside(Integer.toUnsignedLong(ptr), len, what);
        memory.write(ptr, data, 0, len);
    }

    void write(int ptr, byte[] data, String what) {
        write(ptr, data, data.length, what);
    }

    private void requireInside(long ptr, long len, String what) {
        long size = size();
        if (ptr + len > size) {
            throw PandoException.badRequest(what + " at [" + ptr + ", " + (ptr + len) + ") lies outside guest memory ("
                    + size + " bytes)");
        }
    }
}
