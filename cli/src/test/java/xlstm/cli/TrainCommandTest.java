package xlstm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.training.checkpoint.ModelExport;
import xlstm.training.data.TokenStream;
import xlstm.training.init.LargeModelInit;
import xlstm.training.loop.ModelSpec;

/** {@code xlstm train} and {@code xlstm experiment parity} through the real command line. */
class TrainCommandTest {
    @TempDir Path tmp;

    private Path config(String text) throws Exception {
        Path corpus = tmp.resolve("corpus.txt");
        if (!Files.exists(corpus)) Files.writeString(corpus, "the quick brown fox jumps over the lazy dog. ".repeat(200));
        Path f = tmp.resolve("run.yaml");
        Files.writeString(f, text.replace("CORPUS", corpus.toString()).replace("OUT", tmp.resolve("run").toString()));
        return f;
    }

    private static final String BIGRAM = """
            model: {type: bigram, vocab_size: 256}
            data: {type: text, file: CORPUS}
            training:
              steps: 40
              batch_size: 4
              seq_len: 16
              lr: 0.1
              warmup_steps: 4
              eval_every: 10
              checkpoint_every: 10
              keep_checkpoints: 2
            out: OUT
            """;

    @Test
    void trainsResumesAndWritesLogPlotAndModel() throws Exception {
        Path cfg = config(BIGRAM);
        Cli.Result r = Cli.run("train", "--config", cfg.toString(), "--progress").assertOk();
        assertTrue(r.out().contains("done: 40 steps"), r.out());
        assertTrue(r.out().contains("step 40/40  loss"), r.out());
        assertTrue(r.err().contains("step 40/40") && r.err().contains("tok/s"), "the progress bar: " + r.err());
        Path run = tmp.resolve("run");
        assertEquals(41, Files.readAllLines(run.resolve("metrics.csv")).size());
        assertTrue(Files.size(run.resolve("loss.png")) > 1000);
        assertTrue(Files.isRegularFile(run.resolve("model/model.safetensors")));

        Cli.run("train", "--config", cfg.toString()).assertUserError("--resume", run.toString());
        Cli.Result resumed = Cli.run("train", "--config", cfg.toString(), "--resume", "--steps", "60").assertOk();
        assertTrue(resumed.out().contains("resuming at step 40 of 60"), resumed.out());
        assertEquals(61, Files.readAllLines(run.resolve("metrics.csv")).size());
    }

    @Test
    void badInputsAreOneLineNamingTheFileLineOrOption() throws Exception {
        Path cfg = config(BIGRAM);
        Cli.run("train", "--config", tmp.resolve("nope.yaml").toString()).assertUserError("nope.yaml", "no such file");
        Files.writeString(cfg, "model: {type: bigram\n");
        Cli.run("train", "--config", cfg.toString()).assertUserError(cfg.toString(), "not valid YAML", "line");
        cfg = config(BIGRAM.replace("lr: 0.1", "lr: zero"));
        Cli.run("train", "--config", cfg.toString()).assertUserError(cfg + ":7:", "'training.lr'", "zero");
        cfg = config(BIGRAM.replace("vocab_size: 256", "vocab_size: 100"));
        Cli.run("train", "--config", cfg.toString()).assertUserError(cfg + ":1:", "'model.vocab_size'", "256");
        cfg = config(BIGRAM.replace("file: CORPUS", "file: " + tmp.resolve("missing.txt")));
        Cli.run("train", "--config", cfg.toString()).assertUserError("missing.txt", "no such file");
        cfg = config(BIGRAM);
        Cli.run("train", "--config", cfg.toString(), "--resume").assertUserError("no checkpoint");
        Cli.run("train", "--config", cfg.toString(), "--steps", "0").assertUserError("--steps");
        Cli.run("train").assertUserError("--config");
    }

    @Test
    void aResumeRefusesAnotherModelAndADamagedCheckpoint() throws Exception {
        Path cfg = config(BIGRAM);
        Cli.run("train", "--config", cfg.toString(), "--steps", "10").assertOk();
        Path other = config(BIGRAM.replace("vocab_size: 256", "vocab_size: 300"));
        Cli.run("train", "--config", other.toString(), "--resume").assertUserError("run.json", "'model'");
        cfg = config(BIGRAM);
        Path state = tmp.resolve("run/checkpoints/step-00000010/state.json");
        Files.writeString(state, "{not json");
        Cli.run("train", "--config", cfg.toString(), "--resume").assertUserError(state.toString(), "not valid JSON");
    }

    @Test
    void aSmallXlstmLargeTrainsAndItsExportGeneratesText() throws Exception {
        Path cfg = config("""
                model: {type: large, config: {embedding_dim: 16, num_heads: 2, num_blocks: 1, vocab_size: 256, chunk_size: 8}}
                data: {type: text, file: CORPUS}
                training: {steps: 4, seq_len: 16, batch_size: 2, eval_every: 2, checkpoint_every: 2}
                out: OUT
                """);
        Cli.Result r = Cli.run("train", "--config", cfg.toString()).assertOk();
        assertTrue(r.out().contains("done: 4 steps"), r.out());
        Path model = tmp.resolve("run/model");
        Cli.Result g = Cli.run("generate", "--model", model.toString(), "--prompt", "the quick", "-n", "8").assertOk();
        assertTrue(!g.out().isEmpty(), "generated text");
    }

    @Test
    void parityExperimentOptionsAndATinyRun() {
        String out = tmp.resolve("p").toString();
        Cli.Result r = Cli.run("experiment", "parity", "--out", out, "--steps", "2", "--embedding-dim", "8",
                "--batch-size", "4", "--eval-every", "2", "--test-samples", "8", "--targets", "every").assertOk();
        assertTrue(r.out().contains("xLSTM[1:1] mLSTM + sLSTM") && r.out().contains("scaled accuracy"), r.out());
        assertTrue(r.out().contains("targets at every position"), r.out());
        assertTrue(Files.isRegularFile(tmp.resolve("p/parity.csv")) && Files.isRegularFile(tmp.resolve("p/parity.png")));
        Cli.run("experiment", "parity", "--out", out, "--steps", "0").assertUserError("--steps");
        Cli.run("experiment", "parity", "--out", out, "--warmup", "-1").assertUserError("--warmup");
        Cli.run("experiment", "parity", "--out", out, "--num-heads", "3").assertUserError("--num-heads", "--embedding-dim");
        Cli.run("experiment", "parity", "--out", out, "--test-samples", "0").assertUserError("--test-samples");
        Cli.run("experiment", "parity", "--out", out, "--targets", "all").assertUserError("--targets", "last or every");
        Cli.run("experiment", "parity", "--steps", "5").assertUserError("--out");
        Cli.run("experiment", "parity", "--out", out, "--steps", "1").assertUserError("--out", "already");
    }

    @Test
    void generateLoadsAnExportedModel() {
        XlstmLargeConfig cfg = XlstmLargeConfig.of(32, 2, 1, 64).withChunkSize(16);
        Path dir = tmp.resolve("exported");
        ModelExport.write(dir, new ModelSpec.Large(cfg), LargeModelInit.of(cfg, 1), null, false);
        Cli.Result r = Cli.run("generate", "--model", dir.toString(), "--prompt-ids", "1,2,3", "-n", "5").assertOk();
        assertEquals(5, r.out().strip().split(",").length, r.out());
    }

    @Test
    void aTokenizerMakesTheTokens() throws Exception {
        Path tok = TextFixtures.gpt2Tokenizer();
        Path text = tmp.resolve("hello.txt");
        Files.writeString(text, "Hello, world!");
        TokenStream s = TokenStream.read(text, tok);
        assertArrayEquals(new int[] {15496, 11, 995, 0}, s.tokens()); // GPT-2's ids
        assertEquals(50257, s.vocabSize());
        // the data's vocabulary comes from the tokenizer: a model smaller than it is refused before training
        Path cfg = config(BIGRAM.replace("file: CORPUS", "file: CORPUS, tokenizer: " + tok));
        Cli.run("train", "--config", cfg.toString()).assertUserError(cfg + ":1:", "'model.vocab_size'", "50257");
    }

    @Test
    void anExportWithTheDataTokenizerGeneratesText() {
        XlstmLargeConfig cfg = XlstmLargeConfig.of(16, 2, 1, 50304).withChunkSize(8);
        Path dir = tmp.resolve("exported");
        ModelExport.write(dir, new ModelSpec.Large(cfg), LargeModelInit.of(cfg, 1), TextFixtures.gpt2Tokenizer(), false);
        Cli.run("generate", "--model", dir.toString(), "--prompt", "Hello", "-n", "3").assertOk();
    }

    @Test
    void theStepBarShowsStepsAndTheDetail() {
        StringWriter sw = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(sw, true), false, true);
        for (int s = 0; s <= 20; s++) bar.update("training", s, 20, "loss 1.2345  10.0k tok/s");
        var lines = sw.toString().lines().toList();
        assertEquals(11, lines.size(), sw.toString());
        assertTrue(lines.get(5).contains("step 10/20") && lines.get(5).contains("loss 1.2345") && lines.get(5).contains("ETA"),
                lines.get(5));
        assertTrue(lines.get(10).contains("done in"), lines.get(10));
    }
}
