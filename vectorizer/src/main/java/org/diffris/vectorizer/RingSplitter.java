package org.diffris.vectorizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/**
 * Splits a traced ring that passes twice through a pinch vertex into simple rings.
 *
 * <p>Input: a closed ring as {@code x, y} pairs (first vertex not repeated) where pinch vertices
 * carry {@code ~x}. Only pinch vertices can repeat. Walking the ring with a stack, the second
 * visit of a pinch vertex cuts off the loop since its first visit; every output ring is simple
 * (no repeated vertex), keeps the input's orientation per loop, has only turning vertices and
 * plain (non-negative) coordinates. Rings of a 4-connected part split this way into one shell
 * and holes that touch it, or each other, at single points.
 */
final class RingSplitter {

  private RingSplitter() {}

  /** Adds the simple rings of {@code ring} to {@code out}; may reuse {@code ring}'s array. */
  static void split(int[] ring, List<int[]> out) {
    int pinches = 0;
    for (int k = 0; k < ring.length; k += 2) {
      if (ring[k] < 0) {
        pinches++;
      }
    }
    if (pinches == 0) {
      out.add(ring);
      return;
    }
    // Most pinched rings touch other rings, not themselves: find repeats among pinches first.
    long[] keys = new long[pinches];
    int n = 0;
    for (int k = 0; k < ring.length; k += 2) {
      if (ring[k] < 0) {
        keys[n++] = key(~ring[k], ring[k + 1]);
      }
    }
    if (!hasRepeat(keys)) {
      for (int k = 0; k < ring.length; k += 2) {
        if (ring[k] < 0) {
          ring[k] = ~ring[k];
        }
      }
      out.add(ring);
      return;
    }
    cutLoops(ring, out);
  }

  private static long key(int x, int y) {
    return ((long) x << 32) | (y & 0xffffffffL);
  }

  private static boolean hasRepeat(long[] keys) {
    if (keys.length <= 16) {
      for (int a = 0; a < keys.length; a++) {
        for (int b = a + 1; b < keys.length; b++) {
          if (keys[a] == keys[b]) {
            return true;
          }
        }
      }
      return false;
    }
    long[] sorted = keys.clone();
    Arrays.sort(sorted);
    for (int a = 1; a < sorted.length; a++) {
      if (sorted[a] == sorted[a - 1]) {
        return true;
      }
    }
    return false;
  }

  /** Walks the ring with a stack; a second visit of a pinch vertex cuts off a loop. */
  private static void cutLoops(int[] ring, List<int[]> out) {
    int[] stack = new int[ring.length];
    int size = 0; // in ints
    HashMap<Long, Integer> firstVisit = new HashMap<>();
    for (int k = 0; k < ring.length; k += 2) {
      int x = ring[k];
      int y = ring[k + 1];
      if (x < 0) {
        x = ~x;
        Long key = key(x, y);
        Integer at = firstVisit.get(key);
        if (at != null && at < size && stack[at] == x && stack[at + 1] == y) {
          out.add(Arrays.copyOfRange(stack, at, size));
          size = at + 2;
          continue;
        }
        firstVisit.put(key, size);
      }
      stack[size] = x;
      stack[size + 1] = y;
      size += 2;
    }
    out.add(size == stack.length ? stack : Arrays.copyOf(stack, size));
  }

  /** Twice the signed shoelace area of a ring of plain coordinates (positive for shells). */
  static long doubleSignedArea(int[] ring) {
    long sum = 0;
    int n = ring.length;
    long x0 = ring[n - 2];
    long y0 = ring[n - 1];
    for (int k = 0; k < n; k += 2) {
      long x1 = ring[k];
      long y1 = ring[k + 1];
      sum += x0 * y1 - x1 * y0;
      x0 = x1;
      y0 = y1;
    }
    return sum;
  }
}
