package org.diffris.runtime.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Byte-level BPE learning at CLIP's size (tens of thousands of merges from megabytes of text), with
 * exactly the rule of {@link ClipBpeFixture#learn}: merge the most frequent adjacent pair (count at
 * least 2; ties: smallest left id, then smallest right id), and refuse a pair whose result is
 * already a token.
 *
 * <p>The fixture's learner recounts every pair of every word for each merge; this one counts once
 * and then keeps the counts up to date. It holds a table of distinct words with their frequencies,
 * the count of every adjacent pair, for each pair the words that contain it, and a max-heap of
 * (count, pair) entries. A merge touches only the words that contain its pair: their old pairs are
 * subtracted, the pair merged, their new pairs added, and every pair whose count changed gets a new
 * heap entry. Entries are checked when popped, so an entry whose count is no longer the pair's is
 * dropped (lazy deletion). The cost of a merge is proportional to the words it touches.
 */
final class ClipBpeLearner {
  private final List<String> tokens = new ArrayList<>();
  private final Map<String, Integer> ids = new HashMap<>();
  private int[][] words;
  private long[] frequencies;
  private final Map<Long, long[]> pairCounts = new HashMap<>();
  private final Map<Long, IntList> pairWords = new HashMap<>();

  /** Heap entries: count descending, then pair key ascending (left id, then right id). */
  private final PriorityQueue<long[]> heap =
      new PriorityQueue<>(
          (a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));

  private ClipBpeLearner() {}

  /**
   * Distinct words of the texts (CLIP's clean-up and split) with their frequencies, sorted. Equal
   * texts are split once (source code repeats many lines), on all cores.
   */
  static Map<String, Long> countWords(Iterable<String> texts) {
    Map<String, Long> textCounts = new HashMap<>();
    for (String text : texts) {
      textCounts.merge(text, 1L, Long::sum);
    }
    List<Map.Entry<String, Long>> distinct = new ArrayList<>(textCounts.entrySet());
    int parts = Math.max(1, Runtime.getRuntime().availableProcessors());
    Map<String, Long> counts =
        IntStream.range(0, parts)
            .parallel()
            .mapToObj(
                part -> {
                  Map<String, Long> partCounts = new HashMap<>();
                  for (int i = part; i < distinct.size(); i += parts) {
                    Map.Entry<String, Long> e = distinct.get(i);
                    for (String word : ClipTextSplitter.words(e.getKey())) {
                      if (!word.equals(ClipVocabulary.START_TOKEN)
                          && !word.equals(ClipVocabulary.END_TOKEN)) {
                        partCounts.merge(word, e.getValue(), Long::sum);
                      }
                    }
                  }
                  return partCounts;
                })
            .reduce(
                (a, b) -> {
                  b.forEach((word, count) -> a.merge(word, count, Long::sum));
                  return a;
                })
            .orElseGet(HashMap::new);
    return new TreeMap<>(counts);
  }

  /** Learns up to {@code mergeCount} merges from a word-frequency table. */
  static ClipBpeFixture learn(Map<String, Long> wordCounts, int mergeCount) {
    return new ClipBpeLearner().run(new TreeMap<>(wordCounts), mergeCount);
  }

  private ClipBpeFixture run(TreeMap<String, Long> wordCounts, int mergeCount) {
    // The 512 byte symbols in CLIP's order; merges add one token each; the specials come last.
    List<String> byteSymbols = ClipBpeFixture.withMerges().tokens;
    for (int id = 0; id < 512; id++) {
      add(byteSymbols.get(id));
    }
    words = new int[wordCounts.size()][];
    frequencies = new long[wordCounts.size()];
    int w = 0;
    for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
      byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
      int[] symbols = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        String symbol = String.valueOf(ByteLevelAlphabet.charOf(bytes[i] & 0xFF));
        symbols[i] = ids.get(i == bytes.length - 1 ? symbol + ClipVocabulary.END_OF_WORD : symbol);
      }
      words[w] = symbols;
      frequencies[w] = e.getValue();
      w++;
    }
    Map<Long, Long> changed = new HashMap<>();
    for (w = 0; w < words.length; w++) {
      countPairs(w, +1, changed);
    }
    pushAll(changed);
    List<String> merges = new ArrayList<>();
    while (merges.size() < mergeCount && !heap.isEmpty()) {
      long[] top = heap.poll();
      long pair = top[1];
      long[] count = pairCounts.get(pair);
      if (count == null || count[0] != top[0]) {
        continue; // stale: the pair's count changed after this entry was pushed
      }
      if (top[0] < 2) {
        break; // a pair seen once teaches nothing; every other pair is rarer
      }
      int left = (int) (pair >>> 32);
      int right = (int) pair;
      String merged = tokens.get(left) + tokens.get(right);
      if (ids.containsKey(merged)) {
        count[0] = -1; // refused for good: its entries are all stale from now on
        continue;
      }
      int mergedId = add(merged);
      merges.add(tokens.get(left) + " " + tokens.get(right));
      changed.clear();
      IntList holders = pairWords.get(pair);
      for (int i = 0; i < holders.size; i++) {
        int word = holders.values[i];
        if (!contains(words[word], left, right)) {
          continue; // an earlier merge took the pair out of this word
        }
        countPairs(word, -1, changed);
        words[word] = mergeAll(words[word], left, right, mergedId);
        countPairs(word, +1, changed);
      }
      pairCounts.remove(pair);
      pairWords.remove(pair);
      changed.remove(pair);
      pushAll(changed);
    }
    return ClipBpeFixture.withMerges(merges.toArray(new String[0]));
  }

  private int add(String token) {
    ids.put(token, tokens.size());
    tokens.add(token);
    return tokens.size() - 1;
  }

  /** Adds (sign +1) or subtracts (sign -1) the pairs of one word; records the pairs changed. */
  private void countPairs(int word, int sign, Map<Long, Long> changed) {
    int[] s = words[word];
    long weight = sign * frequencies[word];
    for (int i = 0; i + 1 < s.length; i++) {
      long pair = ClipVocabulary.pairKey(s[i], s[i + 1]);
      long[] count = pairCounts.computeIfAbsent(pair, k -> new long[1]);
      if (count[0] < 0) {
        continue; // a refused pair stays refused
      }
      count[0] += weight;
      changed.put(pair, count[0]);
      if (sign > 0) {
        IntList holders = pairWords.computeIfAbsent(pair, k -> new IntList());
        if (holders.size == 0 || holders.values[holders.size - 1] != word) {
          holders.add(word);
        }
      }
    }
  }

  private void pushAll(Map<Long, Long> changed) {
    for (Map.Entry<Long, Long> e : changed.entrySet()) {
      if (e.getValue() >= 2) {
        heap.add(new long[] {e.getValue(), e.getKey()});
      }
    }
  }

  private static boolean contains(int[] s, int left, int right) {
    for (int i = 0; i + 1 < s.length; i++) {
      if (s[i] == left && s[i + 1] == right) {
        return true;
      }
    }
    return false;
  }

  /** Merges every occurrence of (left, right), left to right, as the fixture's learner does. */
  static int[] mergeAll(int[] s, int left, int right, int merged) {
    int[] out = new int[s.length];
    int k = 0;
    for (int i = 0; i < s.length; i++) {
      if (i + 1 < s.length && s[i] == left && s[i + 1] == right) {
        out[k++] = merged;
        i++;
      } else {
        out[k++] = s[i];
      }
    }
    return Arrays.copyOf(out, k);
  }

  /** A growable list of word indices. */
  private static final class IntList {
    int[] values = new int[2];
    int size;

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }
  }
}
