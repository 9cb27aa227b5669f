package xlstm.generated;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A tiny safetensors reader for tests: 8-byte LE header length, JSON header, raw LE data (F32 only). */
final class Safetensors {
    record Tensor(int[] shape, float[] data) {}

    private Safetensors() {}

    @SuppressWarnings("unchecked")
    static Map<String, Tensor> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long hlen = bb.getLong(0);
        Map<String, Object> header = (Map<String, Object>) MiniJson.parse(new String(all, 8, (int) hlen, StandardCharsets.UTF_8));
        Map<String, Tensor> out = new LinkedHashMap<>();
        int base = 8 + (int) hlen;
        for (var e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) continue;
            Map<String, Object> t = (Map<String, Object>) e.getValue();
            if (!"F32".equals(t.get("dtype"))) continue;
            List<Object> shape = (List<Object>) t.get("shape"), off = (List<Object>) t.get("data_offsets");
            int[] sh = shape.stream().mapToInt(x -> ((Double) x).intValue()).toArray();
            int start = base + ((Double) off.get(0)).intValue(), end = base + ((Double) off.get(1)).intValue();
            float[] d = new float[(end - start) / 4];
            bb.position(start);
            bb.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(d);
            out.put(e.getKey(), new Tensor(sh, d));
        }
        return out;
    }
}
