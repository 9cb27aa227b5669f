package xlstm.runtime.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import xlstm.backends.DType;
import xlstm.backends.cpu.CpuConvert;
import xlstm.runtime.UserError;
import xlstm.runtime.config.ConfigFiles;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/**
 * {@code xlstm convert}: rewrites a checkpoint directory with its floating-point weights in another dtype (fp32 →
 * bf16 halves a 27.5 GB xLSTM 7B to 13.7 GB). The input is mapped, never read whole; each tensor is converted in
 * 64 MiB chunks straight into the output shard and its input pages are released after, so memory use stays
 * small whatever the size. {@code config.json} gets the new {@code dtype} (and {@code torch_dtype} when present);
 * every other non-weight file (generation config, tokenizer, README) is copied. The output appears atomically
 * ({@link CheckpointWriter}).
 */
public final class CheckpointConverter {
    private CheckpointConverter() {}

    /** Converts {@code in} to {@code out}; {@code target} is F32 or BF16. */
    public static void convert(Path in, Path out, DType target, long maxShardBytes, boolean overwrite,
                               ProgressListener progress) {
        if (target != DType.F32 && target != DType.BF16) {
            throw new UserError("--dtype must be f32 or bf16, got " + target);
        }
        Checkpoint ckpt = Checkpoint.open(in);
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new UserError(out + ": the output must be a new directory, not the input");
        }
        WeightStore w = ckpt.openWeights();
        List<ShardWriter.Source> sources = new ArrayList<>();
        for (String name : w.names()) sources.add(new Converted(w, name, target));
        Map<String, Path> extras = CheckpointWriter.nonWeightFiles(in);
        CheckpointWriter.write(out, sources, maxShardBytes, overwrite, dir -> {
            for (Map.Entry<String, Path> e : extras.entrySet()) {
                if (e.getKey().equals("config.json")) {
                    JsonNode cfg = ConfigFiles.read(e.getValue());
                    if (cfg instanceof ObjectNode o) {
                        String name = target == DType.BF16 ? "bfloat16" : "float32";
                        o.put("dtype", name);
                        if (o.has("torch_dtype")) o.put("torch_dtype", name);
                    }
                    Files.writeString(dir.resolve("config.json"),
                            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(cfg) + "\n");
                } else {
                    Files.copy(e.getValue(), dir.resolve(e.getKey()));
                }
            }
        }, "converting to " + target.safetensorsName().toLowerCase(), progress);
    }

    /** One stored tensor, produced in the target dtype chunk by chunk. */
    private static final class Converted implements ShardWriter.Source {
        private final WeightStore store;
        private final String name;
        private final DType from, to;
        private final long[] shape;

        Converted(WeightStore store, String name, DType target) {
            this.store = store;
            this.name = name;
            this.from = store.dtypeOf(name);
            this.shape = store.shapeOf(name);
            boolean isFloat = from == DType.F32 || from == DType.BF16 || from == DType.F16 || from == DType.F64;
            this.to = isFloat ? target : from;
        }

        @Override public String name() { return name; }

        @Override public DType dtype() { return to; }

        @Override public long[] shape() { return shape.clone(); }

        @Override
        public void fill(long start, long count, MemorySegment out) {
            Tensor t = store.get(name);
            MemorySegment src = t.data();
            if (from == to) {
                MemorySegment.copy(src, start * from.byteSize(), out, 0, count * from.byteSize());
            } else if (from == DType.F32 && to == DType.BF16) {
                CpuConvert.f32ToBf16(src, start, out, 0, count);
            } else if (from == DType.BF16 && to == DType.F32) {
                CpuConvert.bf16ToF32(src, start, out, 0, count);
            } else {
                for (long i = 0; i < count; i++) {
                    float v = t.getFloat(start + i);
                    if (to == DType.F32) out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                    else out.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, DType.toBf16(v));
                }
            }
            // done with these input pages: release them (the mapping stays valid)
            if (src.isMapped()) src.asSlice(start * from.byteSize(), count * from.byteSize()).unload();
        }
    }
}
