package org.diffris.runtime.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark (a program, not a test): {@link ClipTokenizer} against the HuggingFace tokenizers
 * library (Rust, through DJL) on a vocabulary of CLIP's size, in one JVM, on the strings of {@link
 * ClipTokenizerClipSizeTest}. Run by {@code model-runtime/bench/tokenizer.sh}.
 *
 * <pre>
 *   ClipTokenizerBenchmark WORK_DIR [TOKENIZER_DIR]
 * </pre>
 *
 * <p>Without {@code TOKENIZER_DIR} the vocabulary is learnt from {@link LocalTextCorpus} and written
 * to {@code WORK_DIR/tokenizer}. With it, its {@code vocab.json} + {@code merges.txt} are used (the
 * real CLIP files drop in), and DJL reads its {@code tokenizer.json}, written from {@code
 * merges.txt} when missing. Both sides are checked to give the same ids before any timing.
 *
 * <p>Measured: loading the vocabulary (first load in the JVM, then the best of 5); encoding every
 * string to CLIP's 77 ids, one string a call, on one thread, with a fresh tokenizer (empty caches,
 * JIT already warm from the id check) and then the best of 5 passes once warm; the whole id
 * sequences without truncation (our {@code tokenIds}: it does not stop at 77 as {@code encode}
 * does); the empty string as many times (what a call costs whatever the text); and DJL's {@code batchEncode} (Rust, on all cores) against our tokenizer on a parallel
 * stream, at 77 ids.
 */
public final class ClipTokenizerBenchmark {
  private static final int REPEATS = 5;

  private ClipTokenizerBenchmark() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: ClipTokenizerBenchmark WORK_DIR [TOKENIZER_DIR]");
      System.exit(2);
    }
    Path work = Path.of(args[0]);
    Files.createDirectories(work);
    Path tokenizer;
    List<String> corpusLines;
    String origin;
    if (args.length == 2) {
      tokenizer = Path.of(args[1]);
      corpusLines = LocalTextCorpus.lines(LocalTextCorpus.folders());
      if (!Files.isRegularFile(tokenizer.resolve("tokenizer.json"))) {
        List<String> merges =
            Files.readAllLines(tokenizer.resolve("merges.txt"), StandardCharsets.UTF_8);
        ClipBpeFixture files =
            ClipBpeFixture.withMerges(
                merges.stream().skip(1).filter(line -> !line.isBlank()).toArray(String[]::new));
        Files.writeString(
            work.resolve("tokenizer.json"), files.tokenizerJson(), StandardCharsets.UTF_8);
        Files.copy(
            tokenizer.resolve("vocab.json"),
            work.resolve("vocab.json"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
            tokenizer.resolve("merges.txt"),
            work.resolve("merges.txt"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        tokenizer = work;
      }
      origin = "given files " + args[1];
    } else {
      ClipSizeVocabulary learnt = ClipSizeVocabulary.learn();
      tokenizer = work.resolve("tokenizer");
      learnt.fixture.writeTo(tokenizer);
      corpusLines = learnt.corpusLines;
      origin = "learnt: " + learnt.summary();
    }
    List<String> strings = ClipSizeSamples.strings(corpusLines, 2026, 2500);
    corpusLines = null;
    System.out.println("vocabulary " + origin);
    System.out.printf(
        Locale.ROOT,
        "JVM %s, %d cores; %d strings, %d UTF-8 bytes in all%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        strings.size(),
        strings.stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum());

    // Loading.
    Path json = tokenizer.resolve("tokenizer.json");
    double[] oursLoad = new double[REPEATS];
    double[] theirsLoad = new double[REPEATS];
    ClipVocabulary vocabulary = null;
    for (int r = 0; r < REPEATS; r++) {
      long t0 = System.nanoTime();
      vocabulary = ClipVocabulary.load(tokenizer);
      long t1 = System.nanoTime();
      try (HuggingFaceTokenizer loaded = DjlTokenizers.clipLength(json)) {
        long t2 = System.nanoTime();
        oursLoad[r] = (t1 - t0) / 1e9;
        theirsLoad[r] = (t2 - t1) / 1e9;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%d tokens, %d merges; vocab.json %d bytes, merges.txt %d bytes, tokenizer.json %d bytes%n",
        vocabulary.size(),
        vocabulary.mergeCount(),
        Files.size(tokenizer.resolve("vocab.json")),
        Files.size(tokenizer.resolve("merges.txt")),
        Files.size(json));

    // Same ids first: a benchmark of two tokenizers that disagree would mean nothing.
    ClipTokenizer check = new ClipTokenizer(vocabulary, ClipTokenizer.CLIP_MAX_LENGTH, 0);
    int differing = 0;
    try (HuggingFaceTokenizer theirs = DjlTokenizers.clipLength(json)) {
      for (String s : strings) {
        long[] expected = theirs.encode(s).getIds();
        int[] actual = check.encode(s).ids();
        if (!Arrays.equals(ClipTokenizerClipSizeTest.toInts(expected), actual)) {
          differing++;
        }
      }
    }
    System.out.printf(
        "ids differing from DJL's at length 77: %d of %d%n", differing, strings.size());

    // Encoding, one string a call, one thread.
    double oursCold;
    double theirsCold;
    double[] oursWarm = new double[REPEATS];
    double[] theirsWarm = new double[REPEATS];
    double[] oursWhole = new double[REPEATS];
    double[] theirsWhole = new double[REPEATS];
    double[] oursEmpty = new double[REPEATS];
    double[] theirsEmpty = new double[REPEATS];
    double[] oursParallel = new double[REPEATS];
    double[] theirsBatch = new double[REPEATS];
    long sink = 0;
    ClipTokenizer ours = new ClipTokenizer(vocabulary, ClipTokenizer.CLIP_MAX_LENGTH, 0);
    try (HuggingFaceTokenizer theirs = DjlTokenizers.clipLength(json);
        HuggingFaceTokenizer untruncated = DjlTokenizers.untruncated(json)) {
      long t0 = System.nanoTime();
      for (String s : strings) {
        sink += ours.encode(s).ids()[1];
      }
      long t1 = System.nanoTime();
      for (String s : strings) {
        sink += theirs.encode(s).getIds()[1];
      }
      long t2 = System.nanoTime();
      oursCold = (t1 - t0) / 1e9;
      theirsCold = (t2 - t1) / 1e9;
      for (int r = 0; r < REPEATS; r++) {
        t0 = System.nanoTime();
        for (String s : strings) {
          sink += ours.encode(s).ids()[1];
        }
        t1 = System.nanoTime();
        for (String s : strings) {
          sink += theirs.encode(s).getIds()[1];
        }
        t2 = System.nanoTime();
        oursWarm[r] = (t1 - t0) / 1e9;
        theirsWarm[r] = (t2 - t1) / 1e9;
      }
      for (int r = 0; r < REPEATS; r++) {
        t0 = System.nanoTime();
        for (String s : strings) {
          sink += ours.tokenIds(s).length;
        }
        t1 = System.nanoTime();
        for (String s : strings) {
          sink += untruncated.encode(s, true, false).getIds().length;
        }
        t2 = System.nanoTime();
        oursWhole[r] = (t1 - t0) / 1e9;
        theirsWhole[r] = (t2 - t1) / 1e9;
      }
      for (int r = 0; r < REPEATS; r++) {
        t0 = System.nanoTime();
        for (int i = 0; i < strings.size(); i++) {
          sink += ours.encode("").ids()[1];
        }
        t1 = System.nanoTime();
        for (int i = 0; i < strings.size(); i++) {
          sink += theirs.encode("").getIds()[1];
        }
        t2 = System.nanoTime();
        oursEmpty[r] = (t1 - t0) / 1e9;
        theirsEmpty[r] = (t2 - t1) / 1e9;
      }
      String[] array = strings.toArray(new String[0]);
      for (int r = 0; r < REPEATS; r++) {
        t0 = System.nanoTime();
        sink += strings.parallelStream().mapToLong(s -> ours.encode(s).ids()[1]).sum();
        t1 = System.nanoTime();
        Encoding[] batch = theirs.batchEncode(array);
        t2 = System.nanoTime();
        sink += batch[0].getIds()[1];
        oursParallel[r] = (t1 - t0) / 1e9;
        theirsBatch[r] = (t2 - t1) / 1e9;
      }
    }

    int n = strings.size();
    StringBuilder table = new StringBuilder();
    table.append(
        "| measurement | ours (ClipTokenizer) | DJL / HuggingFace tokenizers | ours / DJL |\n");
    table.append("|---|---:|---:|---:|\n");
    row(table, "load vocabulary, first in the JVM (s)", oursLoad[0], theirsLoad[0], "%.3f");
    row(table, "load vocabulary, best of 5 (s)", min(oursLoad), min(theirsLoad), "%.3f");
    rate(table, "encode to 77 ids, fresh tokenizer, one pass (strings/s)", n, oursCold, theirsCold);
    rate(table, "encode to 77 ids, warm, best of 5 (strings/s)", n, min(oursWarm), min(theirsWarm));
    rate(
        table,
        "whole sequences, no truncation, warm, best of 5 (strings/s)",
        n,
        min(oursWhole),
        min(theirsWhole));
    rate(
        table,
        "the empty string, as often, warm, best of 5: the cost of a call (strings/s)",
        n,
        min(oursEmpty),
        min(theirsEmpty));
    rate(
        table,
        "all cores: parallel stream vs batchEncode, best of 5 (strings/s)",
        n,
        min(oursParallel),
        min(theirsBatch));
    System.out.print(table);
    Files.writeString(work.resolve("results.md"), table.toString(), StandardCharsets.UTF_8);
    if (sink == 42) {
      System.out.println();
    }
    if (differing > 0) {
      System.exit(1);
    }
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  private static void row(StringBuilder table, String name, double ours, double theirs, String f) {
    table.append(
        String.format(
            Locale.ROOT,
            "| %s | " + f + " | " + f + " | %.2f |%n",
            name,
            ours,
            theirs,
            ours / theirs));
  }

  private static void rate(
      StringBuilder table, String name, int n, double oursSeconds, double theirsSeconds) {
    double ours = n / oursSeconds;
    double theirs = n / theirsSeconds;
    table.append(
        String.format(
            Locale.ROOT, "| %s | %,.0f | %,.0f | %.2f |%n", name, ours, theirs, ours / theirs));
  }
}
