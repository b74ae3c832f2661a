package org.diffris.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diffris.runtime.json.JsonReader;
import org.diffris.runtime.onnx.ExecutionProvider;
import org.diffris.runtime.onnx.SessionSettings;
import org.diffris.runtime.tiling.PixelScaling;
import org.diffris.runtime.tiling.TileModel;
import org.junit.jupiter.api.Test;

/**
 * The real bundle against the PyTorch outputs its exporter stored in {@code parity/}
 * (model/diffris/export/bundle.py: index.json + raw little-endian arrays). Checks, through this
 * runtime's own path: the tokenizer's ids, the text features, this runtime's pixel scaling of the
 * uint8 pixels, and the segmenter's logits for a batch of two square tiles and one non-square
 * tile, within the stored tolerance (1e-4 max abs). Skipped while the bundle is not exported.
 *
 * <p>A {@code wordpiece} bundle carries no text encoder: its features come from the pretrained
 * graph model.json names, read from the class path (this module's test scope holds the encoder
 * jars), and are checked against our PyTorch twin of that encoder; its parity files also hold the
 * attention mask, which this runtime's tokenizer must give as Python's did.
 */
class BundleParityTest {
  /** The exported bundle; {@code -Ddiffris.bundle=FOLDER} checks another one. */
  static final Path BUNDLE =
      Path.of(
          System.getProperty(
              "diffris.bundle", Path.of("..", "sample-data", "models", "diffris-tiny").toString()));

  @SuppressWarnings("unchecked")
  @Test
  void onnxRuntimeMatchesPyTorchOnTheStoredCases() throws IOException {
    Path parity = BUNDLE.resolve("parity");
    assumeTrue(
        Files.isRegularFile(parity.resolve("index.json")),
        "no exported bundle at " + BUNDLE + " (model/ exports it); parity not checked");
    Map<String, Object> index =
        (Map<String, Object>)
            JsonReader.parse(Files.readString(parity.resolve("index.json")), "parity/index.json");
    Map<String, Object> arrays = (Map<String, Object>) index.get("arrays");
    double tolerance = ((Number) index.get("tolerance")).doubleValue();
    assertTrue(tolerance <= 1e-4, "stored tolerance " + tolerance);
    List<String> queries = (List<String>) index.get("queries");
    ModelBundle bundle = ModelBundle.open(BUNDLE);

    long[] ids = Arrays.longs(parity, arrays, "input_ids");
    int length = bundle.description().text().maxLength();
    for (int q = 0; q < queries.size(); q++) {
      long[] expected = java.util.Arrays.copyOfRange(ids, q * length, (q + 1) * length);
      assertArrayEquals(
          expected,
          bundle.tokenizer().encode(queries.get(q)).idsAsLongs(),
          "token ids of '" + queries.get(q) + "'");
    }
    if (arrays.containsKey("attention_mask")) {
      long[] masks = Arrays.longs(parity, arrays, "attention_mask");
      for (int q = 0; q < queries.size(); q++) {
        assertArrayEquals(
            java.util.Arrays.copyOfRange(masks, q * length, (q + 1) * length),
            bundle.tokenizer().encode(queries.get(q)).attentionMask(),
            "attention mask of '" + queries.get(q) + "'");
      }
    }
    bundle
        .description()
        .text()
        .encoder()
        .ifPresent(e -> System.out.println("parity: text encoder " + e.describe()));

    try (DiffrisModel model =
        DiffrisModel.open(bundle, SessionSettings.of(ExecutionProvider.CPU))) {
      float[] features = Arrays.floats(parity, arrays, "text_features");
      int perQuery = features.length / queries.size();
      double worst = 0;
      for (int q = 0; q < queries.size(); q++) {
        DiffrisModel.QueryFeatures f = model.encode(queries.get(q));
        for (int i = 0; i < perQuery; i++) {
          double d = Math.abs(f.value(i / f.dim(), i % f.dim()) - features[q * perQuery + i]);
          worst = Math.max(worst, d);
        }
      }
      assertTrue(worst <= tolerance, "text_features max abs difference " + worst);
      System.out.println("parity: text_features max abs difference " + worst);

      // Case a: tiles 0 and 1 with queries 0 and 1; case b: one non-square tile with query 2.
      // Printed so that the figures quoted in the README can be reproduced.
      System.out.println(
          "parity: mask_logits_a max abs difference "
              + checkCase(model, bundle, parity, arrays, "a", queries, 0, tolerance));
      System.out.println(
          "parity: mask_logits_b max abs difference "
              + checkCase(model, bundle, parity, arrays, "b", queries, 2, tolerance));
    }
  }

  private static double checkCase(
      DiffrisModel model,
      ModelBundle bundle,
      Path parity,
      Map<String, Object> arrays,
      String name,
      List<String> queries,
      int firstQuery,
      double tolerance)
      throws IOException {
    long[] shape = Arrays.shape(arrays, "image_" + name);
    int n = (int) shape[0];
    int c = (int) shape[1];
    int h = (int) shape[2];
    int w = (int) shape[3];
    float[] image = Arrays.floats(parity, arrays, "image_" + name);
    byte[] pixels = Files.readAllBytes(parity.resolve("pixels_" + name + ".bin"));
    float[] logits = Arrays.floats(parity, arrays, "mask_logits_" + name);
    PixelScaling scaling = PixelScaling.fromBundle(bundle.description());
    int plane = h * w;
    float[] ours = new float[image.length];
    for (int k = 0; k < n; k++) {
      for (int ch = 0; ch < c; ch++) {
        for (int i = 0; i < plane; i++) {
          int at = (k * c + ch) * plane + i;
          ours[at] = scaling.apply(ch, pixels[at] & 0xff);
          assertEquals(image[at], ours[at], 1e-5, "scaled pixel " + at + " of image_" + name);
        }
      }
    }
    double worst = 0;
    float[] out = new float[plane];
    for (int k = 0; k < n; k++) {
      TileModel tileModel = model.forQuery(queries.get(firstQuery + k));
      float[] one = java.util.Arrays.copyOfRange(ours, k * c * plane, (k + 1) * c * plane);
      tileModel.predict(one, 1, h, w, out);
      for (int i = 0; i < plane; i++) {
        worst = Math.max(worst, Math.abs(out[i] - logits[k * plane + i]));
      }
    }
    assertTrue(worst <= tolerance, "mask_logits_" + name + " max abs difference " + worst);
    return worst;
  }

  /** Raw little-endian arrays named in index.json. */
  private static final class Arrays {
    @SuppressWarnings("unchecked")
    static long[] shape(Map<String, Object> arrays, String name) {
      List<Object> dims = (List<Object>) ((Map<String, Object>) arrays.get(name)).get("shape");
      return dims.stream().mapToLong(d -> ((Number) d).longValue()).toArray();
    }

    static ByteBuffer bytes(Path parity, String name) throws IOException {
      return ByteBuffer.wrap(Files.readAllBytes(parity.resolve(name + ".bin")))
          .order(ByteOrder.LITTLE_ENDIAN);
    }

    static float[] floats(Path parity, Map<String, Object> arrays, String name) throws IOException {
      ByteBuffer b = bytes(parity, name);
      float[] out = new float[b.remaining() / 4];
      b.asFloatBuffer().get(out);
      assertEquals(
          java.util.Arrays.stream(shape(arrays, name)).reduce(1, (x, y) -> x * y), out.length);
      return out;
    }

    static long[] longs(Path parity, Map<String, Object> arrays, String name) throws IOException {
      ByteBuffer b = bytes(parity, name);
      long[] out = new long[b.remaining() / 8];
      b.asLongBuffer().get(out);
      return out;
    }
  }
}
