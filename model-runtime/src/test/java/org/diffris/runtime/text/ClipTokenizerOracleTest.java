package org.diffris.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance check of {@link ClipTokenizer}: the same ids as the HuggingFace tokenizers library (Rust,
 * through DJL) for the same vocabulary, on a generated corpus of 1,500 texts.
 *
 * <p>No real CLIP vocabulary is available to the build, so the test learns one ({@link
 * ClipBpeFixture}) and writes it both in CLIP's format, which our tokenizer reads, and as a
 * HuggingFace {@code tokenizer.json}, which DJL reads.
 */
class ClipTokenizerOracleTest {
  static final int CORPUS_SIZE = 1500;
  private static final Path BUNDLE_TOKENIZER =
      Path.of("..", "sample-data", "models", "diffris-tiny", "tokenizer");

  @TempDir static Path folder;
  static ClipBpeFixture fixture;
  static ClipVocabulary vocabulary;
  static HuggingFaceTokenizer untruncated;
  static HuggingFaceTokenizer clipLength;
  static List<String> corpus;

  @BeforeAll
  static void learnVocabularyAndLoadBoth() throws IOException {
    fixture = ClipBpeFixture.learn(ClipBpeFixture.trainingCorpus(7, 3000), 1500);
    fixture.writeTo(folder);
    vocabulary = ClipVocabulary.load(folder);
    Path json = folder.resolve("tokenizer.json");
    untruncated = DjlTokenizers.untruncated(json);
    clipLength = DjlTokenizers.clipLength(json);
    corpus = TextSamples.oracleCorpus(2025, CORPUS_SIZE);
  }

  @AfterAll
  static void close() {
    untruncated.close();
    clipLength.close();
  }

  @Test
  void fixtureLooksLikeClip() {
    assertTrue(fixture.merges.size() >= 500, "merges learned: " + fixture.merges.size());
    assertEquals(64, vocabulary.idOf("a"), "CLIP's id of 'a'");
    assertEquals(320, vocabulary.idOf("a</w>"), "CLIP's id of 'a</w>'");
    assertEquals(vocabulary.size() - 1, vocabulary.endId());
    assertEquals(fixture.merges.size(), vocabulary.mergeCount());
  }

  @Test
  void corpusExercisesWhatItClaims() {
    assertTrue(corpus.size() >= 1000);
    long long77 = corpus.stream().filter(t -> untruncated.encode(t).getIds().length > 77).count();
    long cjk =
        corpus.stream()
            .filter(t -> t.codePoints().anyMatch(c -> c >= 0x4E00 && c <= 0x9FFF))
            .count();
    long emoji = corpus.stream().filter(t -> t.codePoints().anyMatch(c -> c >= 0x1F300)).count();
    long accents = corpus.stream().filter(t -> t.matches("(?s).*[à-ÿ].*")).count();
    long digits = corpus.stream().filter(t -> t.matches("(?s).*[0-9].*")).count();
    String summary =
        String.format(
            "long %d, CJK %d, emoji %d, accents %d, digits %d",
            long77, cjk, emoji, accents, digits);
    assertTrue(
        long77 >= 50 && cjk >= 100 && emoji >= 100 && accents >= 100 && digits >= 100, summary);
  }

  /**
   * Whole sequences, start and end tokens included, no truncation on either side; about one text in
   * ten is longer than 77 tokens, up to a few thousand.
   */
  @Test
  void sameIdsAsHuggingFaceTokenizers() {
    ClipTokenizer ours = ClipTokenizer.withClipDefaults(vocabulary);
    assertSameIds(
        corpus,
        text -> untruncated.encode(text, true, false).getIds(),
        text -> DjlTokenizers.withStartAndEnd(ours, text));
  }

  /**
   * At CLIP's length 77: HuggingFace keeps the first 75 text tokens and the end token, as CLIP does.
   * With no padding in tokenizer.json, HuggingFace pads with id 0, so this compares against our
   * tokenizer configured with pad id 0.
   */
  @Test
  void sameTruncationAndPaddingAsHuggingFaceAtLength77() {
    ClipTokenizer ours = new ClipTokenizer(vocabulary, ClipTokenizer.CLIP_MAX_LENGTH, 0);
    assertSameIds(
        corpus, text -> clipLength.encode(text).getIds(), text -> ours.encode(text).ids());
    for (String text : corpus.subList(0, 200)) {
      Encoding theirs = clipLength.encode(text);
      assertEquals(
          Arrays.toString(theirs.getAttentionMask()),
          Arrays.toString(ours.encode(text).attentionMask()),
          () -> "attention mask of " + escape(text));
    }
  }

  /**
   * A tokenizer.json that itself asks for truncation and padding to 77 with the end token. DJL's
   * options decide whether HuggingFace pads at all (its defaults switch padding off, whatever the
   * file says); once padding is on, the pad id comes from the file, and the result equals our CLIP
   * defaults. DJL's "no truncation, no padding" options override the file, which the bundle check
   * below relies on.
   */
  @Test
  void sameIdsAsATokenizerJsonThatPadsWithTheEndToken() throws IOException {
    Path json = folder.resolve("tokenizer-clip-length.json");
    ClipTokenizer ours = ClipTokenizer.withClipDefaults(vocabulary);
    List<String> texts = corpus.subList(0, 500);
    try (HuggingFaceTokenizer padded = DjlTokenizers.clipLength(json);
        HuggingFaceTokenizer overridden = DjlTokenizers.untruncated(json)) {
      assertSameIds(texts, text -> padded.encode(text).getIds(), text -> ours.encode(text).ids());
      assertSameIds(
          texts,
          text -> overridden.encode(text, true, false).getIds(),
          text -> DjlTokenizers.withStartAndEnd(ours, text));
    }
  }

  /** Same check on the model bundle's tokenizer, when that bundle is in the working tree. */
  @Test
  void sameIdsOnTheBundledTokenizerWhenPresent() throws IOException {
    Path json = BUNDLE_TOKENIZER.resolve("tokenizer.json");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isRegularFile(json) && Files.isRegularFile(BUNDLE_TOKENIZER.resolve("vocab.json")),
        "no bundled tokenizer at " + BUNDLE_TOKENIZER + " yet");
    ClipVocabulary bundled = ClipVocabulary.load(BUNDLE_TOKENIZER);
    ClipTokenizer ours = ClipTokenizer.withClipDefaults(bundled);
    try (HuggingFaceTokenizer theirs = DjlTokenizers.untruncated(json)) {
      assertSameIds(
          corpus,
          text -> theirs.encode(text, true, false).getIds(),
          text -> DjlTokenizers.withStartAndEnd(ours, text));
    }
  }

  /**
   * Our side of the check against transformers' {@code CLIPTokenizer}: this vocabulary and corpus
   * with our ids, in {@code target/tokenizer-oracle/}, which {@code
   * model/tests/test_oracle_tokenizer.py} reads after the Maven build (./run-tests) and compares
   * with transformers' ids for the same files. {@code texts.jsonl}: one JSON object a line, {@code
   * text}, {@code ids} (start, text tokens, end; untruncated) and {@code ids77} (CLIP's 77, padded
   * with the end token); every character outside printable ASCII is a {@code \\uXXXX} escape, so
   * unpaired surrogates survive.
   */
  @Test
  void writesTheCorpusAndOurIdsForTheTransformersCheck() throws IOException {
    Path out = Path.of("target", "tokenizer-oracle");
    fixture.writeTo(out);
    ClipTokenizer ours = ClipTokenizer.withClipDefaults(ClipVocabulary.load(out));
    List<String> lines = new ArrayList<>();
    for (String text : corpus) {
      lines.add(
          "{\"text\": "
              + asciiJson(text)
              + ", \"ids\": "
              + Arrays.toString(DjlTokenizers.withStartAndEnd(ours, text))
              + ", \"ids77\": "
              + Arrays.toString(ours.encode(text).ids())
              + "}");
    }
    Path file = out.resolve("texts.jsonl");
    Files.write(file, lines, StandardCharsets.US_ASCII);
    assertEquals(corpus.size(), Files.readAllLines(file, StandardCharsets.US_ASCII).size());
  }

  static String asciiJson(String s) {
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

  private static void assertSameIds(
      List<String> texts, Function<String, long[]> expected, Function<String, int[]> actual) {
    List<String> differences = new ArrayList<>();
    int differing = 0;
    for (String text : texts) {
      String theirs = Arrays.toString(expected.apply(text));
      String ours = Arrays.toString(actual.apply(text));
      if (!theirs.equals(ours)) {
        differing++;
        if (differences.size() < 5) {
          differences.add(escape(text) + "\n  huggingface: " + theirs + "\n  ours:        " + ours);
        }
      }
    }
    if (differing > 0) {
      fail(
          differing
              + " of "
              + texts.size()
              + " texts differ; first ones:\n"
              + String.join("\n", differences));
    }
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder("\"");
    text.codePoints()
        .forEach(
            c -> {
              if (c < 0x20
                  || (c >= 0x7F && c < 0xA0)
                  || Character.getType(c) == Character.FORMAT
                  || Character.isWhitespace(c) && c != ' ') {
                out.append(String.format("\\u%04X", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    String s = out.append('"').toString();
    return s.length() > 300 ? s.substring(0, 300) + "...\" (" + text.length() + " chars)" : s;
  }
}
