package org.diffris.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance check of {@link WordPieceTokenizer}: the same ids as the HuggingFace tokenizers library
 * (Rust, through DJL) for a real BERT uncased vocabulary (all-MiniLM-L6-v2's, 30,522 tokens), on
 * the CLIP check's generated corpus plus texts aimed at BERT's own rules. Our tokenizer reads the
 * vocabulary as the bundle carries it ({@code vocab.txt}), DJL the original {@code tokenizer.json}.
 */
class WordPieceTokenizerOracleTest {
  static final int CORPUS_SIZE = 4000;
  static final int MAX_LENGTH = 77;

  /** Texts aimed at BERT's rules: special tokens, white space, accents, CJK, long words. */
  static final String[] BERT_CASES = {
    "[CLS] the [MASK] on the left [SEP]",
    "find[MASK]here",
    "[cls] is not special in lower case",
    "[UNK][PAD][SEP][CLS]",
    "white\u00A0storage\u202Ftanks\u2007here",
    "zero\u200Bwidth\u200Djoiner\uFEFFbom",
    "tab\tnew\nline\rcarriage\u000Bvt\u000Cff\u0085nel\u2028ls",
    "\u0000nul and \uFFFD replacement",
    "private \uE000 use",
    "ΣΟΦΟΣ ΟΔΟΣ Σ",
    "İstanbul İİ",
    "e\u0301cole \u00E9cole",
    "\u1E9E straße STRASSE",
    "東京の港にある白い船",
    "서울의 건물",
    "$100+ <tanks> =^_^= |~`",
    "x".repeat(100),
    "x".repeat(101),
    "roof-tops, rooftops and roof tops",
    "ＦＵＬＬ　ＷＩＤＴＨ",
    "ﬁeld ﬂow",
    "vegetation greenery grassland woodland shrubs",
    "the largest building in the south-east",
  };

  @TempDir static Path folder;
  static WordPieceTokenizer ours;
  static HuggingFaceTokenizer untruncated;
  static HuggingFaceTokenizer modelLength;
  static List<String> corpus;

  @BeforeAll
  static void loadBoth() throws IOException {
    Path json = BertVocabularies.writeMiniLm(folder);
    ours = WordPieceTokenizer.load(folder, MAX_LENGTH);
    untruncated = DjlTokenizers.untruncated(json);
    modelLength = DjlTokenizers.ofLength(json, MAX_LENGTH);
    corpus = new ArrayList<>(List.of(BERT_CASES));
    corpus.addAll(TextSamples.oracleCorpus(2026, CORPUS_SIZE));
  }

  @AfterAll
  static void close() {
    untruncated.close();
    modelLength.close();
  }

  @Test
  void realVocabularyLoads() {
    assertEquals(30522, ours.vocabulary().size());
    assertEquals(101, ours.vocabulary().clsId());
    assertEquals(102, ours.vocabulary().sepId());
    assertEquals(0, ours.vocabulary().padId());
    assertEquals(100, ours.vocabulary().unkId());
  }

  @Test
  void corpusExercisesWhatItClaims() {
    long longTexts =
        corpus.stream().filter(t -> untruncated.encode(t).getIds().length > MAX_LENGTH).count();
    long unknown =
        corpus.stream()
            .filter(t -> Arrays.stream(untruncated.encode(t).getIds()).anyMatch(id -> id == 100))
            .count();
    long continued =
        corpus.stream()
            .filter(
                t ->
                    Arrays.stream(untruncated.encode(t).getTokens())
                        .anyMatch(s -> s.startsWith("##")))
            .count();
    String summary =
        "long " + longTexts + ", with [UNK] " + unknown + ", with ## pieces " + continued;
    assertTrue(corpus.size() >= 4000, summary);
    assertTrue(longTexts >= 200, summary);
    assertTrue(unknown >= 100, summary);
    assertTrue(continued >= 1000, summary);
  }

  @Test
  void untruncatedIdsEqualHuggingFaces() {
    List<String> mismatches = new ArrayList<>();
    for (String text : corpus) {
      long[] expected = untruncated.encode(text).getIds();
      int[] body = ours.tokenIds(text);
      long[] actual = new long[body.length + 2];
      actual[0] = ours.vocabulary().clsId();
      for (int i = 0; i < body.length; i++) {
        actual[i + 1] = body[i];
      }
      actual[actual.length - 1] = ours.vocabulary().sepId();
      if (!Arrays.equals(expected, actual)) {
        mismatches.add(describe(text, expected, actual));
      }
    }
    report(mismatches);
  }

  @Test
  void modelLengthIdsAndMaskEqualHuggingFaces() {
    List<String> mismatches = new ArrayList<>();
    for (String text : corpus) {
      Encoding expected = modelLength.encode(text);
      TokenizedText actual = ours.encode(text);
      if (!Arrays.equals(expected.getIds(), actual.idsAsLongs())
          || !Arrays.equals(expected.getAttentionMask(), actual.attentionMask())) {
        mismatches.add(describe(text, expected.getIds(), actual.idsAsLongs()));
      }
    }
    report(mismatches);
  }

  private static String describe(String text, long[] expected, long[] actual) {
    StringBuilder codePoints = new StringBuilder();
    text.codePoints().limit(40).forEach(c -> codePoints.append(String.format("%04X ", c)));
    return "text "
        + codePoints
        + "\n  HF   "
        + Arrays.toString(expected)
        + "\n  ours "
        + Arrays.toString(actual);
  }

  private static void report(List<String> mismatches) {
    if (!mismatches.isEmpty()) {
      fail(
          mismatches.size()
              + " of "
              + corpus.size()
              + " texts differ; first ones:\n"
              + String.join("\n", mismatches.subList(0, Math.min(5, mismatches.size()))));
    }
  }
}
