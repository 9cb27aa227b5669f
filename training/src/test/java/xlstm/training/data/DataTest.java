package xlstm.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.UserError;
import xlstm.training.Batch;
import xlstm.training.Rng;

class DataTest {
    @TempDir Path tmp;

    @Test
    void withoutATokenizerTheBytesAreTheTokens() throws Exception {
        Path f = tmp.resolve("t.txt");
        Files.writeString(f, "aé"); // é is two UTF-8 bytes
        TokenStream s = TokenStream.read(f, null);
        assertEquals(256, s.vocabSize());
        assertTrue(Arrays.equals(new int[] {0x61, 0xC3, 0xA9}, s.tokens()), Arrays.toString(s.tokens()));
        UserError e = assertThrows(UserError.class, () -> TokenStream.read(tmp.resolve("none.txt"), null));
        assertTrue(e.getMessage().contains("none.txt"), e.getMessage());
    }

    @Test
    void windowsPredictTheNextTokenAndValidationIsHeldOut() {
        byte[] text = new byte[1000];
        for (int i = 0; i < text.length; i++) text[i] = (byte) (i % 251); // position recoverable from the token
        TextData d = new TextData(TokenStream.ofBytes(text, "t"), 4, 16, 0.2, 3, 9);
        assertEquals(800, d.trainTokens().length());
        Batch b = d.trainBatch(new Rng(1));
        assertEquals(4, b.batchSize());
        assertEquals(16, b.length());
        for (int r = 0; r < 4; r++) {
            for (int s = 0; s < 16; s++) assertEquals((b.inputs()[r][s] + 1) % 251, b.targets()[r][s]);
        }
        assertSame(d.validation(), d.validation());
        assertEquals(3, d.validation().size());
        Batch v = d.validation().get(0);
        for (int[] row : v.inputs()) {
            // the held-out part is stream positions 800..999, i.e. tokens (800..999) mod 251
            int start = indexOf(d.validationTokens().tokens(), row);
            assertTrue(start >= 0, "a window of the validation tokens");
        }
        // same seed, same validation set
        TextData again = new TextData(TokenStream.ofBytes(text, "t"), 4, 16, 0.2, 3, 9);
        assertTrue(Arrays.deepEquals(d.validation().get(2).inputs(), again.validation().get(2).inputs()));
    }

    @Test
    void tooLittleTextIsAUserError() {
        UserError e = assertThrows(UserError.class,
                () -> new TextData(TokenStream.ofBytes("short text".getBytes(StandardCharsets.UTF_8), "tiny.txt"), 2, 32, 0.1, 1, 1));
        assertTrue(e.getMessage().contains("tiny.txt") && e.getMessage().contains("seq_len"), e.getMessage());
    }

    @Test
    void parityLabelsTheLastBitOnly() {
        ParityTask task = new ParityTask(1, 40);
        Rng rng = new Rng(3);
        int longest = 0;
        for (int i = 0; i < 20; i++) {
            Batch b = task.batch(8, rng);
            assertEquals(8, b.counted());
            for (int r = 0; r < 8; r++) {
                int len = 0;
                while (len < b.length() && b.inputs()[r][len] != ParityTask.PAD) len++;
                assertTrue(len >= 1 && len <= 40);
                longest = Math.max(longest, len);
                int parity = 0;
                for (int s = 0; s < len; s++) parity ^= b.inputs()[r][s];
                for (int s = 0; s < b.length(); s++) {
                    assertEquals(s == len - 1 ? parity : Batch.IGNORE, b.targets()[r][s]);
                    if (s >= len) assertEquals(ParityTask.PAD, b.inputs()[r][s]);
                }
            }
        }
        assertTrue(longest > 30, "lengths cover the range");
        Batch a = task.batch(4, new Rng(11)), c = task.batch(4, new Rng(11));
        assertTrue(Arrays.deepEquals(a.inputs(), c.inputs()), "seeded");
    }

    @Test
    void parityWithEveryTargetLabelsEachBitWithItsPrefixParity() {
        ParityTask every = new ParityTask(1, 40, ParityTask.Targets.EVERY);
        Batch b = every.batch(8, new Rng(5)), last = new ParityTask(1, 40).batch(8, new Rng(5));
        assertTrue(Arrays.deepEquals(last.inputs(), b.inputs()), "the same strings as with targets at the last bit");
        int bits = 0;
        for (int r = 0; r < 8; r++) {
            int parity = 0;
            for (int s = 0; s < b.length(); s++) {
                int bit = b.inputs()[r][s];
                if (bit == ParityTask.PAD) {
                    assertEquals(Batch.IGNORE, b.targets()[r][s], "padding has no target");
                    continue;
                }
                bits++;
                parity ^= bit;
                assertEquals(parity, b.targets()[r][s]);
                if (last.targets()[r][s] != Batch.IGNORE) assertEquals(last.targets()[r][s], b.targets()[r][s]);
            }
        }
        assertEquals(bits, b.counted());
        assertEquals(ParityTask.Targets.LAST, every.withTargets(ParityTask.Targets.LAST).targets());
    }

    @Test
    void scaledAccuracyMapsChanceToZeroAndPerfectToOne() {
        assertEquals(0.0, ParityTask.scaledAccuracy(0.5));
        assertEquals(1.0, ParityTask.scaledAccuracy(1.0));
        assertEquals(0.5, ParityTask.scaledAccuracy(0.75));
        assertEquals(-1.0, ParityTask.scaledAccuracy(0.0));
        assertEquals(0.5, ScaledAccuracy.of(0.6, 0.2), 1e-12);
    }

    private static int indexOf(int[] hay, int[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
