package dev.lamina;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The streaming decoder never splits a character across tokens. */
class Utf8StreamDecoderTest {
    @Test
    void holdsIncompleteCharactersUntilTheyComplete() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // 3 bytes
        byte[] smile = "😀".getBytes(StandardCharsets.UTF_8); // 4 bytes
        Utf8StreamDecoder d = new Utf8StreamDecoder();
        d.append(new byte[] {'a', euro[0]});
        assertEquals("a", d.take());
        d.append(new byte[] {euro[1]});
        assertEquals("", d.take());
        d.append(new byte[] {euro[2], smile[0], smile[1]});
        assertEquals("€", d.take());
        d.append(new byte[] {smile[2], smile[3], 'b'});
        assertEquals("😀b", d.take());
        assertEquals(0, d.pending());
    }

    @Test
    void invalidBytesBecomeReplacementCharacters() {
        Utf8StreamDecoder d = new Utf8StreamDecoder();
        d.append(new byte[] {(byte) 0x80, 'x'});
        assertEquals("\uFFFDx", d.take());
        d.append(new byte[] {(byte) 0xE2, (byte) 0x82});
        assertEquals("", d.take());
        assertEquals("\uFFFD", d.flush());
    }
}
