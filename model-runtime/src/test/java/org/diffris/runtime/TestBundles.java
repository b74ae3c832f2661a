package org.diffris.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffris.runtime.text.ClipBpeFixture;

/**
 * Bundles with the analytic test graphs of {@code src/test/resources/org/diffris/runtime/onnx}
 * (see make_test_graphs.py there) and the hand-written model.json beside them.
 */
public final class TestBundles {
  private TestBundles() {}

  /** A bundle folder using the given segmenter graph from the onnx resources. */
  public static Path write(Path folder, String segmenterResource) throws IOException {
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("model.json"), resource("model.json"));
    Files.write(folder.resolve("text_encoder.onnx"), bytes("onnx/text_encoder.onnx"));
    Files.write(folder.resolve("segmenter.onnx"), bytes("onnx/" + segmenterResource));
    ClipBpeFixture.withMerges("c a", "ca r</w>").writeTo(folder.resolve("tokenizer"));
    return folder;
  }

  public static Path write(Path folder) throws IOException {
    return write(folder, "segmenter.onnx");
  }

  static String resource(String name) throws IOException {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }

  static byte[] bytes(String name) throws IOException {
    try (InputStream in = TestBundles.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("test resource missing: " + name);
      }
      return in.readAllBytes();
    }
  }
}
