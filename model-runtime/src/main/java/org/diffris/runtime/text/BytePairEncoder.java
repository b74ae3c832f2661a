package org.diffris.runtime.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns one pre-tokenized word into token ids by byte-level BPE: the word's UTF-8 bytes become
 * byte symbols (the last one in its {@code "</w>"} form), then merge rules are applied lowest rank
 * first, and among equal ranks leftmost first, until no adjacent pair has a rule.
 *
 * <p>That order is the one HuggingFace tokenizers uses; for merge lists learned by BPE training
 * (a merge never uses a token made by a later merge) it gives the same result as OpenAI CLIP's
 * "merge every occurrence of the best pair, repeat". Cost: O(n log n) in the word's byte length,
 * so a hostile 10,000-letter word stays cheap. Results of short words are cached in a bounded map
 * (no eviction: once full, new words are simply not cached). Thread-safe.
 */
final class BytePairEncoder {
  static final int CACHE_LIMIT = 20_000;
  private static final int CACHEABLE_WORD_LENGTH = 64;

  private final ClipVocabulary vocabulary;
  private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

  BytePairEncoder(ClipVocabulary vocabulary) {
    this.vocabulary = vocabulary;
  }

  /** Token ids of a non-empty word; the returned array must not be modified. */
  int[] encode(String word) {
    int[] cached = cache.get(word);
    if (cached != null) {
      return cached;
    }
    int[] ids = merge(word.getBytes(StandardCharsets.UTF_8));
    if (word.length() <= CACHEABLE_WORD_LENGTH && cache.size() < CACHE_LIMIT) {
      cache.putIfAbsent(word, ids);
    }
    return ids;
  }

  private int[] merge(byte[] bytes) {
    int n = bytes.length;
    int[] symbol = new int[n];
    int[] next = new int[n];
    int[] prev = new int[n];
    for (int i = 0; i < n; i++) {
      int b = bytes[i] & 0xFF;
      symbol[i] = i == n - 1 ? vocabulary.wordEndByteId(b) : vocabulary.byteId(b);
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    // Candidates packed as rank << 32 | left position: the natural order is rank, then leftmost.
    PriorityQueue<Long> candidates = new PriorityQueue<>();
    for (int i = 0; i + 1 < n; i++) {
      offer(candidates, symbol, i, i + 1);
    }
    boolean[] removed = new boolean[n];
    int remaining = n;
    while (!candidates.isEmpty()) {
      long candidate = candidates.poll();
      int rank = (int) (candidate >>> 32);
      int left = (int) candidate;
      int right = removed[left] ? -1 : next[left];
      if (right < 0) {
        continue;
      }
      long rule = vocabulary.mergeRule(symbol[left], symbol[right]);
      // A stale candidate: one of its symbols has been merged since it was queued.
      if (rule < 0 || (int) (rule >>> 32) != rank) {
        continue;
      }
      symbol[left] = (int) rule;
      removed[right] = true;
      remaining--;
      next[left] = next[right];
      if (next[right] >= 0) {
        prev[next[right]] = left;
        offer(candidates, symbol, left, next[left]);
      }
      if (prev[left] >= 0) {
        offer(candidates, symbol, prev[left], left);
      }
    }
    int[] ids = new int[remaining];
    int k = 0;
    for (int i = 0; i >= 0; i = next[i]) {
      ids[k++] = symbol[i];
    }
    return k == remaining ? ids : Arrays.copyOf(ids, k);
  }

  private void offer(PriorityQueue<Long> candidates, int[] symbol, int left, int right) {
    long rule = vocabulary.mergeRule(symbol[left], symbol[right]);
    if (rule >= 0) {
      candidates.add((rule & 0xFFFFFFFF00000000L) | left);
    }
  }
}
