package xlstm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.io.SafetensorsFile;
import xlstm.runtime.io.SafetensorsWriter;
import xlstm.runtime.tensor.Tensor;

/**
 * The bad inputs of the text-generation issue, through the real command line: exit status 2, one line on stderr
 * naming the file or option at fault, no stack trace.
 */
class TextBadInputTest {
    @TempDir static Path tmp;
    static Path model;

    @BeforeAll
    static void checkpoint() { model = TextFixtures.checkpoint(tmp.resolve("model")); }

    private static Cli.Result gen(Path m, String... args) {
        List<String> all = new ArrayList<>(List.of("generate", "--model", m.toString()));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    private static List<String> shards(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("model-\\d{5}-of-\\d{5}\\.safetensors"))
                    .sorted().toList();
        }
    }

    @Test
    void missingTokenizerFile(@TempDir Path dir) throws IOException {
        Path m = TextFixtures.checkpoint(dir.resolve("no_tokenizer"));
        Files.delete(m.resolve("tokenizer.json"));
        gen(m, "--prompt", "Hello").assertUserError("no_tokenizer", "no tokenizer.json", "--prompt-ids");
        gen(m, "--prompt-ids", "1,2", "-n", "2").assertOk();
        gen(model, "--prompt", "Hello", "--tokenizer", dir.resolve("nope.json").toString())
                .assertUserError("nope.json", "no such tokenizer file");
    }

    @Test
    void vocabularyMismatch(@TempDir Path dir) throws IOException {
        Path m = dir.resolve("vocab_1000");
        xlstm.runtime.checkpoint.RandomCheckpoint.write(m, TextFixtures.config(1000, false),
                xlstm.backends.DType.F32, 1, 1L << 40, Map.of(), List.of(TextFixtures.gpt2Tokenizer()), false, null);
        gen(m, "--prompt", "Hello").assertUserError("tokenizer.json", "50257 tokens", "1000 rows");
    }

    @Test
    void indexNamingAMissingShard(@TempDir Path dir) throws IOException {
        Path m = TextFixtures.checkpoint(dir.resolve("sharded"), 4_000_000);
        String gone = shards(m).get(1);
        Files.delete(m.resolve(gone));
        gen(m, "--prompt", "Hello").assertUserError("model.safetensors.index.json", gone, "does not exist");
    }

    @Test
    void shardDisagreeingWithTheIndex(@TempDir Path dir) throws IOException {
        Path m = TextFixtures.checkpoint(dir.resolve("sharded"), 4_000_000);
        List<String> names = shards(m);
        Path shard = m.resolve(names.get(names.size() - 1));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(shard)) {
            for (String n : f.names()) tensors.put(n, f.tensor(n).copy());
        }
        tensors.put("backbone.blocks.0.stray.weight", Tensor.zeros(2));
        SafetensorsWriter.write(shard, tensors);
        gen(m, "--prompt", "Hello").assertUserError(names.get(names.size() - 1), "backbone.blocks.0.stray.weight",
                "does not list");
    }

    @Test
    void promptLongerThanTheLimit() {
        gen(model, "--prompt", "one two three four five", "--max-prompt-tokens", "3")
                .assertUserError("5 tokens", "--max-prompt-tokens 3");
        gen(model, "--prompt-ids", "1,2,3,4", "--max-prompt-tokens", "2").assertUserError("--max-prompt-tokens");
        gen(model, "--prompt", "x", "--max-prompt-tokens", "0").assertUserError("--max-prompt-tokens");
    }

    @Test
    void nonUtf8Prompts() throws IOException {
        Path latin1 = Files.write(tmp.resolve("latin1.txt"), "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1));
        gen(model, "--prompt-file", latin1.toString()).assertUserError("latin1.txt", "not valid UTF-8", "offset 3");
        // what the JVM makes of non-UTF-8 bytes on the command line (U+FFFD), and a lone surrogate
        gen(model, "--prompt", "caf\uFFFD au lait").assertUserError("--prompt", "not valid UTF-8");
        gen(model, "--prompt", "bad \uD83D surrogate").assertUserError("--prompt", "unpaired surrogate");
        gen(model, "--prompt-file", tmp.resolve("absent.txt").toString()).assertUserError("absent.txt", "no such file");
    }

    @Test
    void samplingOptions() {
        gen(model, "--prompt", "x", "--top-p", "0").assertUserError("--top-p", "(0, 1]", "got 0.0");
        gen(model, "--prompt", "x", "--top-p", "1.5").assertUserError("--top-p");
        gen(model, "--prompt", "x", "--temperature", "-0.5").assertUserError("--temperature", ">= 0", "-0.5");
        gen(model, "--prompt", "x", "--top-k", "-1").assertUserError("--top-k");
        gen(model, "--prompt", "x", "--repetition-penalty", "0").assertUserError("--repetition-penalty");
        gen(model, "--prompt", "x", "-n", "-3").assertUserError("--max-new-tokens");
        gen(model, "--prompt", "x", "--temperature", "warm").assertUserError("--temperature", "warm");
        gen(model, "--prompt", "x", "--stop", "").assertUserError("--stop");
        gen(model, "--prompt", "x", "--dtype", "f16").assertUserError("--dtype", "f16");
    }

    @Test
    void promptCombinations() {
        gen(model).assertUserError("give a prompt");
        gen(model, "--prompt", "a", "--prompt-ids", "1").assertUserError("not both");
        gen(model, "--interactive", "--prompt", "a", "--prompt", "b").assertUserError("--interactive");
    }

    @Test
    void convertBadInput() throws IOException {
        Cli.run("convert", "--dtype", "int8", model.toString(), tmp.resolve("o1").toString()).assertUserError("--dtype", "int8");
        Cli.run("convert", "--dtype", "bf16", tmp.resolve("nowhere").toString(), tmp.resolve("o2").toString())
                .assertUserError("nowhere");
        Cli.run("convert", "--dtype", "bf16", "--max-shard-size", "lots", model.toString(), tmp.resolve("o3").toString())
                .assertUserError("--max-shard-size", "lots");
        Cli.run("convert", "--dtype", "bf16", model.toString(), tmp.resolve("missing_parent/out").toString())
                .assertUserError("parent directory");
        Cli.run("random-checkpoint", "--preset", "70b", tmp.resolve("o4").toString()).assertUserError("--preset", "70b");
    }
}
