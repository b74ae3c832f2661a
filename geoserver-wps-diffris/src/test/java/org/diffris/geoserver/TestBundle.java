package org.diffris.geoserver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.diffris.runtime.text.ByteLevelAlphabet;

/**
 * A model bundle for tests: model-runtime's analytic test graphs (see
 * {@code model-runtime/src/test/resources/org/diffris/runtime/onnx/make_test_graphs.py}: per pixel
 * {@code logit = x0 + 0.5 x1 - 0.25 x2 - 0.001 * id of the query's first token}, x = normalized
 * band values), a model.json for 64-pixel tiles at 0.5 m, and a CLIP tokenizer with the 512 byte
 * symbols and no merges, written under {@code target/test-bundle} once per test JVM.
 */
final class TestBundle {
  static final double GSD_METRES = 0.5;
  private static Path folder;

  private TestBundle() {}

  static synchronized Path folder() throws IOException {
    if (folder != null) {
      return folder;
    }
    Path dir = Path.of("target", "test-bundle").toAbsolutePath();
    Files.createDirectories(dir.resolve("tokenizer"));
    Path graphs =
        Path.of(
            "..", "model-runtime", "src", "test", "resources", "org", "diffris", "runtime", "onnx");
    for (String graph : new String[] {"text_encoder.onnx", "segmenter.onnx"}) {
      Files.copy(graphs.resolve(graph), dir.resolve(graph), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.writeString(
        dir.resolve("model.json"),
        """
        {"name": "analytic-test", "version": "0.0.1", "license": "Apache-2.0",
         "task": "referring-segmentation",
         "image": {"size": 64, "channels": 3, "mean": [0.485, 0.456, 0.406],
                   "std": [0.229, 0.224, 0.225], "scale": 0.00392156862745098, "gsd_m": %s},
         "text": {"tokenizer": "clip-bpe", "max_length": 77, "bos": 512, "eos": 513, "pad": 513},
         "output": {"stride": 1, "kind": "logits"}, "threshold": 0.5, "onnx": {"opset": 17}}
        """
            .formatted(GSD_METRES),
        StandardCharsets.UTF_8);
    StringBuilder vocab = new StringBuilder("{");
    char[] alphabet = ByteLevelAlphabet.alphabetOrder();
    int id = 0;
    for (String suffix : new String[] {"", "</w>"}) {
      for (char c : alphabet) {
        String token = (c == '"' || c == '\\' ? "\\" + c : String.valueOf(c)) + suffix;
        vocab.append(id == 0 ? "" : ",").append('"').append(token).append("\":").append(id++);
      }
    }
    vocab
        .append(",\"<|startoftext|>\":")
        .append(id++)
        .append(",\"<|endoftext|>\":")
        .append(id)
        .append('}');
    Files.writeString(dir.resolve("tokenizer/vocab.json"), vocab, StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("tokenizer/merges.txt"), "#version: 0.2\n", StandardCharsets.UTF_8);
    folder = dir;
    return dir;
  }

  /** Points the process at this bundle (the diffris.model system property). */
  static void install() throws IOException {
    System.setProperty("diffris.model", folder().toString());
  }
}
