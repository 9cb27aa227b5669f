package xlstm.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.UserError;

/** GPT-2's real vocabulary through DJL: known encodings, round trips, streaming, errors. */
class TokenizerTest {
    static Tokenizer gpt2;

    @BeforeAll
    static void load() { gpt2 = Tokenizer.load(Gpt2Fixture.tokenizerJson()); }

    @AfterAll
    static void close() { gpt2.close(); }

    @Test
    void knownEncodings() {
        assertEquals(50257, gpt2.vocabSize());
        assertEquals(50256, gpt2.tokenId("<|endoftext|>"));
        assertTrue(gpt2.isSpecial(50256));
        assertArrayEquals(new long[] {15496, 11, 995, 0}, gpt2.encode("Hello, world!"));
        // from OpenAI's tokenizer / tiktoken "gpt2"
        assertArrayEquals(new long[] {464, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13},
                gpt2.encode("The quick brown fox jumps over the lazy dog."));
        assertArrayEquals(new long[] {31373, 995}, gpt2.encode("hello world"));
        assertArrayEquals(new long[] {50256}, gpt2.encode("<|endoftext|>"));
        assertArrayEquals(new long[0], gpt2.encode(""));
        assertEquals(List.of("Hello", ",", "Ġworld", "!"), List.of(gpt2.tokens("Hello, world!")));
    }

    @Test
    void roundTrips() {
        for (String s : List.of("Hello, world!", " leading space", "tabs\tand\nnewlines\r\n",
                "whitespace     runs   \n\n\n   end  ", "Grüße, naïve café — “quotes” ½ ∑ ∞",
                "日本語のテキスト、中文文本，한국어", "emoji 🦙🚀👩‍👩‍👧‍👦 and flags 🇩🇪🇯🇵", "Ελληνικά Русский עברית العربية",
                "\u0000 control \u0007 chars \u001b[0m", "a\u0301 combining", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math 𝟘𝟙𝟚")) {
            long[] ids = gpt2.encode(s);
            assertEquals(s, gpt2.decode(ids, false), "round trip of " + s);
        }
    }

    @Test
    void specialTokensSkippedOrKept() {
        long[] ids = gpt2.encode("a<|endoftext|>b");
        assertArrayEquals(new long[] {64, 50256, 65}, ids);
        assertEquals("a<|endoftext|>b", gpt2.decode(ids, false));
        assertEquals("ab", gpt2.decode(ids, true));
    }

    @Test
    void streamingHoldsBackSplitCharacters() {
        String text = "Hi 🦙 there, 日本 ok";
        long[] ids = gpt2.encode(text);
        StreamDecoder d = gpt2.streamDecoder();
        StringBuilder sb = new StringBuilder();
        for (long id : ids) {
            String piece = d.push(id);
            assertTrue(piece.indexOf('\uFFFD') < 0, "no half characters in a piece: " + piece);
            sb.append(piece);
        }
        sb.append(d.flush());
        assertEquals(text, sb.toString());
        // the llama emoji is 4 UTF-8 bytes spread over several tokens
        assertTrue(gpt2.encode("🦙").length > 1);
    }

    @Test
    void invalidUtf8() {
        // a token sequence that is only part of a character decodes with U+FFFD, and the stream flushes it
        long[] llama = gpt2.encode("🦙");
        String partial = gpt2.decode(new long[] {llama[0]}, false);
        assertTrue(partial.contains("\uFFFD"), partial);
        StreamDecoder d = gpt2.streamDecoder();
        assertEquals("", d.push(llama[0]));
        assertEquals("\uFFFD", d.flush().replace("\uFFFD\uFFFD", "\uFFFD").substring(0, 1));
        // bytes that are not UTF-8 are rejected with the offset, never guessed
        byte[] bad = "ok \u00e9".getBytes(StandardCharsets.ISO_8859_1);
        UserError e = assertThrows(UserError.class, () -> Utf8.decode(bad, "prompt.txt"));
        assertTrue(e.getMessage().contains("prompt.txt is not valid UTF-8") && e.getMessage().contains("offset 3"),
                e.getMessage());
        assertEquals("ok é", Utf8.decode("ok é".getBytes(StandardCharsets.UTF_8), "x"));
        // a lone surrogate cannot be encoded as UTF-8
        UserError s = assertThrows(UserError.class, () -> gpt2.encode("a\uD83Db"));
        assertTrue(s.getMessage().contains("unpaired surrogate"), s.getMessage());
    }

    @Test
    void longInputIsNotTruncated() {
        String text = " word".repeat(3000);
        long[] ids = gpt2.encode(text);
        assertEquals(3000, ids.length); // DJL would cut at 512 with its default truncation
        assertEquals(text, gpt2.decode(ids, false));
    }

    @Test
    void badFiles(@TempDir Path tmp) throws IOException {
        UserError missing = assertThrows(UserError.class, () -> Tokenizer.load(tmp));
        assertTrue(missing.getMessage().contains("no tokenizer.json"), missing.getMessage());
        Path notJson = Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": ");
        assertTrue(assertThrows(UserError.class, () -> Tokenizer.load(notJson)).getMessage().contains("JSON"));
        Path wrong = Files.writeString(tmp.resolve("wrong.json"), "{\"model\": {\"type\": \"Nope\", \"vocab\": {\"a\": 0}}}");
        UserError r = assertThrows(UserError.class, () -> Tokenizer.load(wrong));
        assertTrue(r.getMessage().startsWith(wrong.toString()), r.getMessage());
        assertThrows(UserError.class, () -> gpt2.decode(new long[] {50257}, false));
    }
}
