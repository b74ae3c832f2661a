package org.diffris.runtime.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.diffris.runtime.BundleFileException;
import org.diffris.runtime.ModelBundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClipTokenizer} on a vocabulary of CLIP's size (49,408 tokens, 48,894 merges, learnt from
 * the Python sources on the machine: {@link ClipSizeVocabulary}) against the HuggingFace tokenizers
 * library through DJL, and against our Python tokenizer ({@code model/diffris/tokenizer}), on about
 * 6,000 strings ({@link ClipSizeSamples}). The files are written in CLIP's format ({@code
 * vocab.json} + {@code merges.txt}, read by our tokenizers) and as a HuggingFace {@code
 * tokenizer.json} (read by DJL), so the real CLIP files load the same way.
 */
class ClipTokenizerClipSizeTest {
  private static final String PYTHON = "/usr/bin/python3";

  @TempDir static Path folder;
  static ClipSizeVocabulary learnt;
  static ClipVocabulary vocabulary;
  static HuggingFaceTokenizer untruncated;
  static HuggingFaceTokenizer clipLength;
  static List<String> strings;

  @BeforeAll
  static void learnWriteAndLoad() throws IOException {
    learnt = ClipSizeVocabulary.learn();
    learnt.fixture.writeTo(folder);
    long t0 = System.nanoTime();
    vocabulary = ClipVocabulary.load(folder);
    long t1 = System.nanoTime();
    Path json = folder.resolve("tokenizer.json");
    untruncated = DjlTokenizers.untruncated(json);
    long t2 = System.nanoTime();
    clipLength = DjlTokenizers.clipLength(json);
    strings = ClipSizeSamples.strings(learnt.corpusLines, 2026, 2500);
    System.out.printf(
        Locale.ROOT,
        "CLIP-size vocabulary: %s; loaded by ClipVocabulary in %.2f s (first load in this JVM),"
            + " by DJL in %.2f s; %d test strings%n",
        learnt.summary(),
        (t1 - t0) / 1e9,
        (t2 - t1) / 1e9,
        strings.size());
  }

  @AfterAll
  static void close() {
    if (untruncated != null) {
      untruncated.close();
    }
    if (clipLength != null) {
      clipLength.close();
    }
  }

  @Test
  void theVocabularyHasClipsLayoutAndSize() throws IOException {
    assertEquals(ClipSizeVocabulary.CLIP_TOKENS, vocabulary.size());
    assertEquals(ClipSizeVocabulary.CLIP_MERGES, vocabulary.mergeCount());
    assertEquals(49_406, vocabulary.startId());
    assertEquals(49_407, vocabulary.endId());
    assertEquals(64, vocabulary.idOf("a"), "CLIP's id of 'a'");
    assertEquals(320, vocabulary.idOf("a</w>"), "CLIP's id of 'a</w>'");
    List<String> merges = Files.readAllLines(folder.resolve("merges.txt"), StandardCharsets.UTF_8);
    assertEquals("#version: 0.2", merges.get(0));
    assertEquals(1 + ClipSizeVocabulary.CLIP_MERGES, merges.size());
    assertEquals(
        ClipSizeVocabulary.CLIP_TOKENS,
        untruncated.encode("x", true, false).getIds()[2] + 1,
        "DJL's end id is the last one");
  }

  @Test
  void theStringsExerciseWhatTheyClaim() {
    ClipTokenizer ours = ClipTokenizer.withClipDefaults(vocabulary);
    long truncated = strings.stream().filter(t -> ours.encode(t).truncated()).count();
    long nonAscii = strings.stream().filter(t -> t.chars().anyMatch(c -> c > 0x7F)).count();
    long wholeWords =
        strings.stream()
            .flatMap(t -> ClipTextSplitter.words(t).stream())
            .filter(w -> ours.tokenIds(w).length == 1)
            .count();
    long words = strings.stream().mapToLong(t -> ClipTextSplitter.words(t).size()).sum();
    String summary =
        String.format(
            Locale.ROOT,
            "%d strings, %d truncated at 77, %d with non-ASCII characters, %d of %d words one"
                + " token",
            strings.size(),
            truncated,
            nonAscii,
            wholeWords,
            words);
    System.out.println(summary);
    assertTrue(strings.size() >= 5000, summary);
    assertTrue(truncated >= 300, summary);
    assertTrue(nonAscii >= 1000, summary);
    // A vocabulary of CLIP's size knows most words of the text it was learnt from whole.
    assertTrue(wholeWords > words / 2, summary);
  }

  @Test
  void sameIdsAsHuggingFaceTokenizers() {
    ClipTokenizer ours = ClipTokenizer.withClipDefaults(vocabulary);
    assertSameIds(
        strings,
        text -> toInts(untruncated.encode(text, true, false).getIds()),
        text -> DjlTokenizers.withStartAndEnd(ours, text),
        "huggingface");
  }

  /** At 77 ids: HuggingFace pads with id 0 when tokenizer.json names no padding. */
  @Test
  void sameIdsAsHuggingFaceTokenizersAtLength77() {
    ClipTokenizer ours = new ClipTokenizer(vocabulary, ClipTokenizer.CLIP_MAX_LENGTH, 0);
    assertSameIds(
        strings,
        text -> toInts(clipLength.encode(text).getIds()),
        text -> ours.encode(text).ids(),
        "huggingface");
  }

  /**
   * CLIP-format files of this size drop into a model bundle's {@code tokenizer/} folder as they are:
   * with {@code model.json}'s text ids set to CLIP's (bos 49406, eos 49407, pad 49407) the bundle
   * opens and its tokenizer gives HuggingFace's ids padded with the end token; with the tiny
   * model's ids left in, it is refused. (The tiny model's ONNX files are copied only to make the
   * bundle complete: opening a bundle does not read them, and they could not take these ids.)
   */
  @Test
  void theFilesDropIntoABundlesTokenizerFolder() throws IOException {
    Path source = Path.of("..", "sample-data", "models", "diffris-tiny");
    assumeTrue(
        Files.isRegularFile(source.resolve("model.json")), "no bundle at " + source + " to copy");
    Path bundle = folder.resolve("bundle");
    Files.createDirectories(bundle.resolve("tokenizer"));
    for (String name : List.of(ModelBundle.TEXT_ENCODER_FILE, ModelBundle.SEGMENTER_FILE)) {
      Files.copy(source.resolve(name), bundle.resolve(name));
    }
    for (String name : List.of("vocab.json", "merges.txt")) {
      Files.copy(folder.resolve(name), bundle.resolve("tokenizer").resolve(name));
    }
    String tiny = Files.readString(source.resolve("model.json"), StandardCharsets.UTF_8);
    Files.writeString(bundle.resolve("model.json"), tiny, StandardCharsets.UTF_8);
    BundleFileException refused =
        assertThrows(BundleFileException.class, () -> ModelBundle.open(bundle));
    assertTrue(refused.getMessage().contains("text.bos"), refused.getMessage());

    String clip =
        tiny.replaceFirst("\"bos\": \\d+", "\"bos\": 49406")
            .replaceFirst("\"eos\": \\d+", "\"eos\": 49407")
            .replaceFirst("\"pad\": \\d+", "\"pad\": 49407");
    assertNotEquals(tiny, clip);
    Files.writeString(bundle.resolve("model.json"), clip, StandardCharsets.UTF_8);
    ClipTokenizer tokenizer = (ClipTokenizer) ModelBundle.open(bundle).tokenizer();
    assertEquals(ClipSizeVocabulary.CLIP_TOKENS, tokenizer.vocabulary().size());
    assertEquals(49_407, tokenizer.padId());
    try (HuggingFaceTokenizer padded =
        DjlTokenizers.clipLength(folder.resolve("tokenizer-clip-length.json"))) {
      assertSameIds(
          strings,
          text -> toInts(padded.encode(text).getIds()),
          text -> tokenizer.encode(text).ids(),
          "huggingface");
    }
  }

  /**
   * Our Python tokenizer ({@code model/diffris/tokenizer}, the one training and export use) on the
   * same files and strings: whole sequences and the 77 ids padded with the end token.
   */
  @Test
  void sameIdsAsOurPythonTokenizer() throws Exception {
    Path model = Path.of("..", "model").toAbsolutePath().normalize();
    assumeTrue(
        Files.isExecutable(Path.of(PYTHON)) && Files.isDirectory(model.resolve("diffris")),
        PYTHON + " or model/diffris missing: Python tokenizer not compared");
    Path input = folder.resolve("strings.jsonl");
    Path output = folder.resolve("python-ids.jsonl");
    List<String> json = new ArrayList<>();
    for (String s : strings) {
      json.add(ClipBpeFixture.quote(s));
    }
    Files.write(input, json, StandardCharsets.UTF_8);
    ProcessBuilder builder =
        new ProcessBuilder(
                PYTHON,
                "-m",
                "diffris.tokenizer",
                folder.toString(),
                input.toString(),
                output.toString())
            .redirectErrorStream(true);
    builder.environment().put("PYTHONPATH", model.toString());
    Process process = builder.start();
    String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), log);
    System.out.print("python: " + log);
    List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
    assertEquals(strings.size() * 2, lines.size(), "two lines per string");
    ClipTokenizer ours = ClipTokenizer.withClipDefaults(vocabulary);
    List<String> theirsWhole = new ArrayList<>();
    List<String> theirs77 = new ArrayList<>();
    for (int i = 0; i < strings.size(); i++) {
      theirsWhole.add(lines.get(2 * i));
      theirs77.add(lines.get(2 * i + 1));
    }
    List<Integer> index = new ArrayList<>();
    for (int i = 0; i < strings.size(); i++) {
      index.add(i);
    }
    compare(
        index,
        i -> theirsWhole.get(i),
        i -> Arrays.toString(DjlTokenizers.withStartAndEnd(ours, strings.get(i))),
        "python");
    compare(
        index,
        i -> theirs77.get(i),
        i -> Arrays.toString(ours.encode(strings.get(i)).ids()),
        "python");
  }

  static int[] toInts(long[] ids) {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  private static void assertSameIds(
      List<String> texts,
      Function<String, int[]> expected,
      Function<String, int[]> actual,
      String peer) {
    List<Integer> index = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      index.add(i);
    }
    compare(
        index,
        i -> Arrays.toString(expected.apply(texts.get(i))),
        i -> Arrays.toString(actual.apply(texts.get(i))),
        peer);
  }

  private static void compare(
      List<Integer> index,
      Function<Integer, String> expected,
      Function<Integer, String> actual,
      String peer) {
    List<String> differences = new ArrayList<>();
    int differing = 0;
    for (int i : index) {
      String theirs = expected.apply(i).replace(" ", "");
      String ours = actual.apply(i).replace(" ", "");
      if (!theirs.equals(ours)) {
        differing++;
        if (differences.size() < 5) {
          differences.add(
              ClipTokenizerOracleTest.escape(strings.get(i))
                  + "\n  "
                  + peer
                  + ": "
                  + theirs
                  + "\n  ours: "
                  + ours);
        }
      }
    }
    if (differing > 0) {
      fail(
          differing
              + " of "
              + index.size()
              + " strings differ; first ones:\n"
              + String.join("\n", differences));
    }
  }
}
