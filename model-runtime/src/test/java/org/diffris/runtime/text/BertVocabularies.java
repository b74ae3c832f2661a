package org.diffris.runtime.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.diffris.runtime.json.JsonReader;

/**
 * A real BERT uncased vocabulary for the WordPiece tests: HuggingFace's {@code tokenizer.json} of
 * all-MiniLM-L6-v2, on the test class path from its Maven Central jar, and the same vocabulary
 * written as {@code vocab.txt} (one token a line, the id its line number), the bundle's format.
 */
public final class BertVocabularies {
  static final String MINILM_TOKENIZER_JSON = "all-minilm-l6-v2-tokenizer.json";

  private BertVocabularies() {}

  /** Copies the tokenizer.json into {@code folder} and writes its vocab.txt beside it. */
  public static Path writeMiniLm(Path folder) throws IOException {
    Path json = folder.resolve("tokenizer.json");
    try (InputStream in = BertVocabularies.class.getResourceAsStream("/" + MINILM_TOKENIZER_JSON)) {
      if (in == null) {
        throw new IllegalStateException(MINILM_TOKENIZER_JSON + " is not on the test class path");
      }
      Files.write(json, in.readAllBytes());
    }
    Files.writeString(folder.resolve("vocab.txt"), vocabTxt(json), StandardCharsets.UTF_8);
    return json;
  }

  @SuppressWarnings("unchecked")
  private static String vocabTxt(Path json) {
    try {
      Map<String, Object> root =
          (Map<String, Object>) JsonReader.parse(Files.newInputStream(json), "tokenizer.json");
      Map<String, Object> vocab =
          (Map<String, Object>) ((Map<String, Object>) root.get("model")).get("vocab");
      String[] tokens = new String[vocab.size()];
      vocab.forEach((token, id) -> tokens[((Number) id).intValue()] = token);
      return String.join("\n", tokens) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
