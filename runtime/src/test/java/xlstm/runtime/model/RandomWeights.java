package xlstm.runtime.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/**
 * A test store that makes up every tensor a model asks for: deterministic uniform values in ±scale (seeded
 * by the name), of exactly the requested shape. After loading, {@link #tensors()} is a complete checkpoint
 * of that model, usable with {@link WeightStore#of}.
 */
final class RandomWeights extends WeightStore {
    private final Map<String, Tensor> made = new LinkedHashMap<>();
    private final float scale;

    RandomWeights(float scale) { this.scale = scale; }

    Map<String, Tensor> tensors() { return made; }

    @Override public String source() { return "random weights"; }

    @Override public Set<String> names() { return made.keySet(); }

    @Override public boolean contains(String name) { return made.containsKey(name); }

    @Override protected Tensor load(String name) { return made.get(name); }

    @Override
    public Tensor require(String name, long... shape) {
        Tensor t = made.get(name);
        if (t == null) {
            Random rnd = new Random(name.hashCode() * 31L + 7);
            float[] v = new float[Math.toIntExact(Tensor.count(shape))];
            for (int i = 0; i < v.length; i++) v[i] = (rnd.nextFloat() * 2 - 1) * scale;
            t = Tensor.of(v, shape);
            made.put(name, t);
        }
        return super.require(name, shape);
    }
}
