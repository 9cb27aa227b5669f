package xlstm.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.tokenizer.Tokenizer;

class ByteLevelTokenizerTest {
    @Test
    void idsAreTheUtf8BytesAndDecodeBack(@TempDir Path dir) {
        Path file = dir.resolve(Tokenizer.FILE_NAME);
        ByteLevelTokenizer.write(file);
        String text = "Call me Ishmael.\n\tSome years ago — naïve 42% ~ ÿ";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        long[] expected = new long[bytes.length];
        for (int i = 0; i < bytes.length; i++) expected[i] = bytes[i] & 0xFF;
        try (Tokenizer tok = Tokenizer.load(file)) {
            assertEquals(256, tok.vocabSize());
            assertArrayEquals(expected, tok.encode(text, false));
            assertEquals(text, tok.decode(expected, false));
        }
    }

    @Test
    void everyByteHasItsOwnSymbol() {
        int[] s = ByteLevelTokenizer.byteSymbols();
        assertEquals(256, java.util.Arrays.stream(s).distinct().count());
        assertEquals('A', s['A']);
        assertEquals(256, s[0]);
        assertEquals(288, s[' ']);   // GPT-2's 'Ġ'
    }
}
