package org.diffris.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Our side of the check against transformers' {@code CLIPTokenizer}: writes the DJL check's
 * vocabulary and texts ({@link ClipTokenizerOracleTest}) with our ids to {@code
 * target/tokenizer-oracle/}, which {@code model/tests/test_oracle_tokenizer.py} reads after the
 * Maven build (./run-tests) and compares with transformers' ids for the same files.
 *
 * <p>{@code texts.jsonl}: one JSON object a line, {@code text}, {@code ids} (start, text tokens,
 * end; untruncated) and {@code ids77} (CLIP's 77, padded with the end token). Every character
 * outside printable ASCII is written as a JSON {@code \\uXXXX} escape, so unpaired surrogates
 * survive.
 */
class ClipTokenizerTransformersExportTest {
  static final Path OUT = Path.of("target", "tokenizer-oracle");

  @Test
  void writesTheDjlChecksVocabularyTextsAndOurIds() throws IOException {
    ClipBpeFixture fixture = ClipBpeFixture.learn(ClipBpeFixture.trainingCorpus(7, 3000), 1500);
    fixture.writeTo(OUT);
    ClipTokenizer ours = ClipTokenizer.withClipDefaults(ClipVocabulary.load(OUT));
    List<String> corpus = TextSamples.oracleCorpus(2025, ClipTokenizerOracleTest.CORPUS_SIZE);
    List<String> lines = new ArrayList<>();
    for (String text : corpus) {
      lines.add(
          "{\"text\": "
              + json(text)
              + ", \"ids\": "
              + Arrays.toString(DjlTokenizers.withStartAndEnd(ours, text))
              + ", \"ids77\": "
              + Arrays.toString(ours.encode(text).ids())
              + "}");
    }
    Path file = OUT.resolve("texts.jsonl");
    Files.write(file, lines, StandardCharsets.US_ASCII);
    assertEquals(corpus.size(), Files.readAllLines(file, StandardCharsets.US_ASCII).size());
  }

  static String json(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7E) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
