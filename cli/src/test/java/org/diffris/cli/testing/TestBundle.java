package org.diffris.cli.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffris.runtime.text.ByteLevelAlphabet;
import org.diffris.runtime.text.ClipVocabulary;

/**
 * Model bundles for wiring tests, built from the analytic ONNX graphs of model-runtime's test
 * resources ({@code make_test_graphs.py} there): the segmenter's logit is
 * {@code x0 + 0.5 x1 - 0.25 x2 - 0.001 id} per pixel for the normalized channels x, where id is
 * the token id of the query's first token (the text feature at position 1), so its answer is
 * known in closed form ({@code Scenes.probability}). The tokenizer has the 512 byte symbols in
 * CLIP's order (a query starting with "r" begins with id 81), two merges, then the start and end
 * tokens (ids 514 and 515), as model.json says. The model's GSD is 1 m, that of the test scenes.
 */
public final class TestBundle {
  private TestBundle() {}

  /** The repository root (the module's parent). */
  public static Path root() {
    return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("..").normalize();
  }

  /** The real embedded bundle, when it has been committed. */
  public static Path embedded() {
    return root().resolve("sample-data/models/diffris-tiny");
  }

  public static boolean embeddedExists() {
    return Files.isRegularFile(embedded().resolve("model.json"));
  }

  /** Writes the analytic bundle to {@code folder}, with model.json's image size {@code size}. */
  public static Path write(Path folder, int size) throws IOException {
    Path onnx = root().resolve("model-runtime/src/test/resources/org/diffris/runtime/onnx");
    Files.createDirectories(folder.resolve("tokenizer"));
    Files.copy(onnx.resolve("text_encoder.onnx"), folder.resolve("text_encoder.onnx"));
    Files.copy(onnx.resolve("segmenter.onnx"), folder.resolve("segmenter.onnx"));
    Files.writeString(
        folder.resolve("model.json"),
        """
        {
          "name": "analytic-test",
          "version": "0.0.1",
          "license": "Apache-2.0",
          "task": "referring-segmentation",
          "image": {"size": %d, "channels": 3, "mean": [0.485, 0.456, 0.406],
                    "std": [0.229, 0.224, 0.225], "scale": 0.00392156862745098, "gsd_m": 1.0},
          "text": {"tokenizer": "clip-bpe", "max_length": 77, "bos": 514, "eos": 515, "pad": 515},
          "output": {"stride": 1, "kind": "logits"},
          "threshold": 0.5,
          "onnx": {"opset": 17}
        }
        """
            .formatted(size));
    StringBuilder vocab = new StringBuilder("{");
    int id = 0;
    for (String suffix : new String[] {"", ClipVocabulary.END_OF_WORD}) {
      for (char c : ByteLevelAlphabet.alphabetOrder()) {
        vocab.append(id == 0 ? "" : ",").append(quote(c + suffix)).append(':').append(id++);
      }
    }
    vocab.append(',').append(quote("ca")).append(':').append(id++);
    vocab.append(',').append(quote("car</w>")).append(':').append(id++);
    vocab.append(',').append(quote(ClipVocabulary.START_TOKEN)).append(':').append(id++);
    vocab.append(',').append(quote(ClipVocabulary.END_TOKEN)).append(':').append(id);
    vocab.append('}');
    Files.writeString(folder.resolve("tokenizer/vocab.json"), vocab, StandardCharsets.UTF_8);
    Files.writeString(
        folder.resolve("tokenizer/merges.txt"),
        "#version: 0.2\nc a\nca r</w>\n",
        StandardCharsets.UTF_8);
    return folder;
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
