import java.nio.file.Path;
import xlstm.backends.DType;
import xlstm.runtime.api.Completion;
import xlstm.runtime.api.GenerateOptions;
import xlstm.runtime.api.LoadOptions;
import xlstm.runtime.api.Session;
import xlstm.runtime.api.StreamListener;
import xlstm.runtime.api.XlstmModel;
import xlstm.runtime.generation.SamplingParams;

/**
 * The library API in one file: load a checkpoint folder, stream a completion, continue the same conversation
 * (the recurrent state is kept, nothing is re-fed), work with token ids, and generate once without a session. Run from the repository root after
 * a build (see the README, "Library API"):
 *
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=64g \
 *        -Dai.djl.offline=true -DDJL_CACHE_DIR=work-area/djl-cache \
 *        -cp 'cli/target/lib/*:cli/target/xlstm-cli.jar' examples/library-api/Generate.java work-area/random-small
 */
public class Generate {
    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : "work-area/random-small");
        LoadOptions load = LoadOptions.defaults().withDtype(args.length > 1 ? DType.BF16 : null);
        try (XlstmModel lm = XlstmModel.load(dir, load)) {
            Session chat = lm.newSession();

            // 1. text in, streamed text out: 24 tokens, temperature 0.8, top-k 40, top-p 0.95, seed 42
            SamplingParams sampling = new SamplingParams(0.8, 40, 0.95, 1.1, 42);
            Completion c = chat.complete("The capital of France is",
                    GenerateOptions.sampling(24, sampling).withStop(java.util.List.of("\n\n")),
                    StreamListener.text(System.out::print));
            System.out.println();
            System.out.println(c.summary());

            // 2. the next turn feeds only its own tokens: the state already holds the first turn
            Completion next = chat.complete(" And the capital of Italy is", GenerateOptions.greedy(12),
                    StreamListener.text(System.out::print));
            System.out.println();
            System.out.println("turn 2 fed " + next.promptTokens() + " tokens; the state holds " + chat.tokens());

            // 3. token ids and custom sampling: feed ids, read the logits, pick, feed the choice
            Session raw = lm.newSession();
            raw.feed(lm.encodePrompt("Hello, world"));
            float[] logits = raw.logits();
            int best = raw.sample(SamplingParams.GREEDY);
            raw.accept(best);
            System.out.println("vocab " + logits.length + ", greedy next token " + best + " = '"
                    + lm.tokenizer().decode(best) + "'");

            // 4. one generation whose state is not kept (no next turn): on a GPU, greedy steps then run ahead of
            // the host, so generation goes at the device's speed
            Completion once = lm.generate(lm.encodePrompt("Once upon a time"), GenerateOptions.greedy(16),
                    StreamListener.text(System.out::print));
            System.out.println();
            System.out.println(once.summary());
        }
    }
}
