package org.diffris.runtime.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CLIP's rules on small hand-made vocabularies; HuggingFace parity is in the oracle test. */
class ClipTokenizerTest {
  static ClipVocabulary vocabulary;
  static ClipTokenizer tokenizer;
  static int start;
  static int end;

  @BeforeAll
  static void load() throws Exception {
    vocabulary =
        ClipBpeFixture.withMerges(
                "c a", "ca r</w>", "r e", "re d</w>", "s h", "sh i", "shi p</w>", "' s</w>")
            .toVocabulary();
    tokenizer = ClipTokenizer.withClipDefaults(vocabulary);
    start = vocabulary.startId();
    end = vocabulary.endId();
  }

  private static int id(String token) {
    int id = vocabulary.idOf(token);
    assertTrue(id >= 0, token);
    return id;
  }

  @Test
  void wrapsTextInStartAndEndThenPadsWithTheEndToken() {
    TokenizedText t = tokenizer.encode("red car");
    int[] expected = new int[77];
    Arrays.fill(expected, end);
    expected[0] = start;
    expected[1] = id("red</w>");
    expected[2] = id("car</w>");
    assertArrayEquals(expected, t.ids());
    assertEquals(4, t.length());
    assertEquals(3, t.endIndex());
    assertFalse(t.truncated());
    long[] mask = t.attentionMask();
    assertEquals(4, Arrays.stream(mask).sum());
    assertEquals(1, mask[3]);
    assertEquals(0, mask[4]);
    assertEquals(expected[2], t.idsAsLongs()[2]);
  }

  @Test
  void padIdAndLengthAreConfigurable() {
    ClipTokenizer zeroPadded = new ClipTokenizer(vocabulary, 8, 0);
    assertArrayEquals(
        new int[] {start, id("ship</w>"), end, 0, 0, 0, 0, 0}, zeroPadded.encode("ship").ids());
  }

  @Test
  void truncationKeepsTheFirstTokensAndTheEndToken() {
    String text = "red car ship ".repeat(30); // 90 tokens
    int[] all = tokenizer.tokenIds(text);
    assertEquals(90, all.length);
    TokenizedText t = tokenizer.encode(text);
    int[] ids = t.ids();
    assertTrue(t.truncated());
    assertEquals(77, t.length());
    assertEquals(end, ids[76]);
    assertArrayEquals(Arrays.copyOf(all, 75), Arrays.copyOfRange(ids, 1, 76));
  }

  @Test
  void textOfExactly75TokensFitsWithoutTruncation() {
    TokenizedText fits = tokenizer.encode("red car ship ".repeat(25));
    assertFalse(fits.truncated());
    assertEquals(77, fits.length());
    TokenizedText over = tokenizer.encode("red car ship ".repeat(25) + "red");
    assertTrue(over.truncated());
    assertArrayEquals(fits.ids(), over.ids());
  }

  @Test
  void mergesApplyLowestRankFirst() throws Exception {
    ClipTokenizer abFirst =
        ClipTokenizer.withClipDefaults(ClipBpeFixture.withMerges("a b", "b c</w>").toVocabulary());
    ClipTokenizer bcFirst =
        ClipTokenizer.withClipDefaults(ClipBpeFixture.withMerges("b c</w>", "a b").toVocabulary());
    assertEquals(List.of("ab", "c</w>"), abFirst.tokens("abc"));
    assertEquals(List.of("a", "bc</w>"), bcFirst.tokens("abc"));
  }

  @Test
  void repeatedPairsMergeLeftmostFirst() throws Exception {
    ClipTokenizer t =
        ClipTokenizer.withClipDefaults(ClipBpeFixture.withMerges("a a", "a a</w>").toVocabulary());
    // a a a</w>: rank 0 merges the leftmost "a a"; then "aa a</w>" has no rule.
    assertEquals(List.of("aa", "a</w>"), t.tokens("aaa"));
    assertEquals(List.of("aa", "aa", "a</w>"), t.tokens("aaaaa"));
  }

  @Test
  void cleansUpWhiteSpaceAndCase() {
    assertArrayEquals(
        tokenizer.encode("red car").ids(), tokenizer.encode("  RED\t\n\u00A0Car \u3000").ids());
    assertArrayEquals(tokenizer.encode("").ids(), tokenizer.encode(" \t\n ").ids());
    assertEquals(2, tokenizer.encode("").length());
  }

  @Test
  void splitsWordsLikeClip() {
    // Words: "ship", "'s", "red", "-", "1", "2", "!?"; digits stand alone, punctuation runs group.
    assertEquals(
        List.of("ship</w>", "'s</w>", "red</w>", "-</w>", "1</w>", "2</w>", "!", "?</w>"),
        tokenizer.tokens("ship's red- 12!?"));
  }

  @Test
  void bytesOfUnmergedCharactersAreByteSymbols() {
    // U+1F697 (car emoji) is F0 9F 9A 97 in UTF-8; the last byte takes the end-of-word form.
    List<String> tokens = tokenizer.tokens("\uD83D\uDE97");
    assertEquals(4, tokens.size());
    assertEquals(String.valueOf(ByteLevelAlphabet.charOf(0xF0)), tokens.get(0));
    assertEquals(ByteLevelAlphabet.charOf(0x97) + "</w>", tokens.get(3));
  }

  @Test
  void wordsSpelledOutByteByByteAreBarelyKnown() {
    // "red": 1 token; "shipping": "ship" merges no further than "shi p i n g" (5 pieces, 8
    // bytes: 1.6 a piece); "reds": "re d s" (3 pieces, 4 bytes: 1.33); "dog": 3 bytes, 3 pieces.
    assertEquals(List.of(), tokenizer.wordsReadLetterByLetter("red car's shipping reds a"));
    assertEquals(List.of("dog", "港口"), tokenizer.wordsReadLetterByLetter("red dog 港口 car"));
  }

  /** Every word diffris-tiny was trained on is known; other scripts and unseen words are not. */
  @Test
  void theShippedTokenizerKnowsItsTrainingQueries() throws Exception {
    ClipTokenizer shipped =
        ClipTokenizer.load(Path.of("..", "sample-data", "models", "diffris-tiny", "tokenizer"));
    List<String> queries =
        Files.readAllLines(Path.of("..", "sample-data", "scenes", "queries.tsv")).stream()
            .map(line -> line.split("\t")[1])
            .toList();
    assertTrue(queries.size() >= 20, queries.toString());
    for (String query : queries) {
      assertEquals(List.of(), shipped.wordsReadLetterByLetter(query), query);
    }
    // Every word of the training corpus's expressions (model/diffris/corpus: categories, colours,
    // relations).
    String corpusWords =
        "airplane airplanes basketball black blue boat boats brown building buildings car cars"
            + " court courts green grey oil plane planes pool pools red road roads ship ships"
            + " storage swimming tank tanks tennis tree trees vehicle vehicles white yellow"
            + " all the a beside near next to";
    assertEquals(List.of(), shipped.wordsReadLetterByLetter(corpusWords));
    assertEquals(
        List.of("港口的船", "سفن", "terminal"),
        shipped.wordsReadLetterByLetter("港口的船 ships سفن near the terminal"));
  }

  @Test
  void specialTokensInTheTextKeepTheirIds() {
    assertArrayEquals(
        new int[] {id("red</w>"), end, id("car</w>")}, tokenizer.tokenIds("red<|endoftext|>car"));
    assertArrayEquals(new int[] {start}, tokenizer.tokenIds("<|StartOfText|>"));
  }

  @Test
  void unpairedSurrogatesBecomeTheReplacementCharacter() {
    assertArrayEquals(tokenizer.tokenIds("a\uFFFDb"), tokenizer.tokenIds("a\uD800b"));
  }

  @Test
  void rejectsUnusableSettings() {
    IllegalArgumentException tooShort =
        assertThrows(IllegalArgumentException.class, () -> new ClipTokenizer(vocabulary, 1, end));
    assertTrue(tooShort.getMessage().contains("maximum length 1"), tooShort.getMessage());
    IllegalArgumentException badPad =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ClipTokenizer(vocabulary, 77, vocabulary.size()));
    assertTrue(badPad.getMessage().contains("pad id " + vocabulary.size()), badPad.getMessage());
  }

  @Test
  void sharedInstanceGivesTheSameIdsFromManyThreads() throws Exception {
    List<String> texts = TextSamples.oracleCorpus(99, 400);
    List<int[]> expected = new ArrayList<>();
    ClipTokenizer fresh = ClipTokenizer.withClipDefaults(vocabulary);
    for (String text : texts) {
      expected.add(tokenizer.encode(text).ids());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        results.add(
            pool.submit(
                () ->
                    IntStream.range(0, texts.size())
                        .allMatch(
                            i ->
                                Arrays.equals(expected.get(i), fresh.encode(texts.get(i)).ids()))));
      }
      for (Future<Boolean> result : results) {
        assertTrue(result.get());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void longWordsStayFast() {
    String word = "ab".repeat(50_000);
    long t0 = System.nanoTime();
    int[] ids = tokenizer.tokenIds(word);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(100_000, ids.length);
    assertTrue(ms < 2_000, "100,000-letter word took " + ms + " ms");
  }
}
