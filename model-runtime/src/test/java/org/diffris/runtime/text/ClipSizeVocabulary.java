package org.diffris.runtime.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A vocabulary of exactly CLIP's size, learnt from {@link LocalTextCorpus}: 256 byte symbols, their
 * 256 {@code "</w>"} forms, 48,894 merges, {@code <|startoftext|>} and {@code <|endoftext|>}:
 * 49,408 tokens, the layout of OpenAI CLIP's {@code vocab.json} and {@code merges.txt}. Learning
 * it takes about 20 s on a 2-core machine, most of it splitting the corpus into words.
 */
final class ClipSizeVocabulary {
  static final int CLIP_MERGES = 48_894;
  static final int CLIP_TOKENS = 49_408;

  final List<Path> folders;
  final List<String> corpusLines;
  final int distinctWords;
  final ClipBpeFixture fixture;
  final double readSeconds;
  final double countSeconds;
  final double learnSeconds;

  private ClipSizeVocabulary(
      List<Path> folders,
      List<String> corpusLines,
      int distinctWords,
      ClipBpeFixture fixture,
      double readSeconds,
      double countSeconds,
      double learnSeconds) {
    this.folders = folders;
    this.corpusLines = corpusLines;
    this.distinctWords = distinctWords;
    this.fixture = fixture;
    this.readSeconds = readSeconds;
    this.countSeconds = countSeconds;
    this.learnSeconds = learnSeconds;
  }

  /** Reads the corpus, counts its words and learns CLIP's number of merges. */
  static ClipSizeVocabulary learn() throws IOException {
    List<Path> folders = LocalTextCorpus.folders();
    long t0 = System.nanoTime();
    List<String> lines = LocalTextCorpus.lines(folders);
    long t1 = System.nanoTime();
    Map<String, Long> words = ClipBpeLearner.countWords(lines);
    long t2 = System.nanoTime();
    ClipBpeFixture fixture = ClipBpeLearner.learn(words, CLIP_MERGES);
    long t3 = System.nanoTime();
    return new ClipSizeVocabulary(
        folders, lines, words.size(), fixture, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
  }

  String summary() {
    return String.format(
        java.util.Locale.ROOT,
        "%d merges, %d tokens from %d lines (%d distinct words) of %s; read %.1f s, words"
            + " counted %.1f s, merges learnt %.1f s",
        fixture.merges.size(),
        fixture.tokens.size(),
        corpusLines.size(),
        distinctWords,
        folders,
        readSeconds,
        countSeconds,
        learnSeconds);
  }
}
