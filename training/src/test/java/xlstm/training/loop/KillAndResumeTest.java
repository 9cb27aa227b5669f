package xlstm.training.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.training.checkpoint.CheckpointStore;

/** A run whose JVM is really killed (SIGKILL) in the middle resumes to the uninterrupted run's losses. */
class KillAndResumeTest {
    @TempDir Path tmp;

    @Test
    void aKilledBigramRunResumesToTheSameLossCurve() throws Exception { killAndResume("bigram", 80); }

    /** The xLSTM model in a fresh JVM (cold JIT) against a warm one, on the vector kernels: they agree bit for bit. */
    @Test
    void aKilledXlstmRunResumesToTheSameLossCurve() throws Exception { killAndResume("lm", 40); }

    private void killAndResume(String model, int steps) throws Exception {
        Path text = Runs.text(tmp, 20_000);
        Path out = tmp.resolve("killed");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), ResumeChild.class.getName(), model, text.toString(), out.toString(),
                Integer.toString(steps)).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        CheckpointStore store = new CheckpointStore(out.resolve(TrainingRun.CHECKPOINTS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (latestStep(store) < 10 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(child.isAlive(), "the child is still training when it is killed; its log:\n"
                + Files.readString(tmp.resolve("child.log")));
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        long reached = latestStep(store);
        assertTrue(reached >= 10 && reached < steps, "killed mid-run, at checkpoint " + reached);

        TrainingRun.run(ResumeChild.config(model, text, out, steps), ModelFactory.REFERENCE, true, TrainingListener.NONE);
        TrainingRun.run(ResumeChild.config(model, text, tmp.resolve("whole"), steps), ModelFactory.REFERENCE, false,
                TrainingListener.NONE);
        List<StepRecord> resumed = MetricsLog.read(out.resolve(TrainingRun.CSV));
        List<StepRecord> whole = MetricsLog.read(tmp.resolve("whole").resolve(TrainingRun.CSV));
        assertEquals(steps, resumed.size());
        for (int i = 0; i < steps; i++) {
            assertEquals(whole.get(i).step(), resumed.get(i).step());
            assertEquals(whole.get(i).loss(), resumed.get(i).loss(), 0.0, "loss of step " + (i + 1));
            assertEquals(whole.get(i).valLoss(), resumed.get(i).valLoss(), 0.0, "validation loss of step " + (i + 1));
        }
    }

    private static long latestStep(CheckpointStore store) {
        Path p = store.latest();
        return p == null ? -1 : Long.parseLong(p.getFileName().toString().substring("step-".length()));
    }
}
