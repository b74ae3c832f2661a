package org.diffris.vectorizer;

import java.util.Arrays;

/**
 * Open boundary chains: directed paths of boundary edges (in-pixels on the right when walking in
 * pixel space, y down, so that shells run clockwise on screen and have positive shoelace area)
 * whose two ends are still open at the sweep line.
 *
 * <p>Invariants: every live chain has exactly two ends, a tail (its first edge, where the path
 * enters) and a head (its last edge, where it leaves), and each end sits in exactly one location:
 * a run's left or right edge in one of the two {@link RowRuns} banks, or the single "pending"
 * horizontal location of the line being swept. A chain stores only its turning vertices (pixel
 * corners where the boundary changes direction), as {@code x, y} int pairs; a vertex where two
 * components touch diagonally ("pinch") is stored with {@code x} bit-inverted ({@code ~x}) so that
 * closed rings can later be split there. Joining two chains copies the shorter into the longer,
 * so building a ring of {@code n} vertices costs {@code O(n log n)} at worst.
 */
final class BoundaryChains {

  /** Location of the pending horizontal edge of the line being swept. */
  static final int PENDING = -1;

  /** Returned by {@link #join} when the join closed a ring, now in {@link #closedRing()}. */
  static final int CLOSED = -2;

  private final RowRuns[] banks;
  private int pending = -1;

  private int[][] buf = new int[64][];
  private int[] lo = new int[64];
  private int[] hi = new int[64];
  private int[] tailLoc = new int[64];
  private int[] headLoc = new int[64];
  private int[] freeIds = new int[64];
  private int freeCount;
  private int nextId;

  private int[] closedRing;

  BoundaryChains(RowRuns bank0, RowRuns bank1) {
    this.banks = new RowRuns[] {bank0, bank1};
  }

  /** Location code of the left (tail) or right (head) edge of run {@code k} in {@code runs}. */
  static int loc(RowRuns runs, int k, boolean head) {
    return (k << 2) | (runs.bank << 1) | (head ? 1 : 0);
  }

  /** The ring closed by the last {@link #join} that returned {@link #CLOSED}. */
  int[] closedRing() {
    return closedRing;
  }

  /** A new chain with no vertices and no ends placed yet. */
  int create() {
    int id;
    if (freeCount > 0) {
      id = freeIds[--freeCount];
    } else {
      if (nextId == buf.length) {
        grow();
      }
      id = nextId++;
    }
    int[] b = buf[id];
    if (b == null) {
      b = new int[16];
      buf[id] = b;
    }
    lo[id] = hi[id] = b.length / 2 & ~1;
    return id;
  }

  private void grow() {
    int n = buf.length * 2;
    buf = Arrays.copyOf(buf, n);
    lo = Arrays.copyOf(lo, n);
    hi = Arrays.copyOf(hi, n);
    tailLoc = Arrays.copyOf(tailLoc, n);
    headLoc = Arrays.copyOf(headLoc, n);
    freeIds = Arrays.copyOf(freeIds, n);
  }

  private void release(int id) {
    // Drop big buffers so that one huge ring does not pin memory for the rest of the raster.
    if (buf[id].length > 256) {
      buf[id] = null;
    }
    freeIds[freeCount++] = id;
  }

  /** The chain whose end sits at {@code loc}. */
  int at(int loc) {
    if (loc == PENDING) {
      return pending;
    }
    RowRuns r = banks[(loc >> 1) & 1];
    return (loc & 1) == 0 ? r.tailChain[loc >> 2] : r.headChain[loc >> 2];
  }

  private void set(int loc, int chain) {
    if (loc == PENDING) {
      pending = chain;
      return;
    }
    RowRuns r = banks[(loc >> 1) & 1];
    if ((loc & 1) == 0) {
      r.tailChain[loc >> 2] = chain;
    } else {
      r.headChain[loc >> 2] = chain;
    }
  }

  void placeTail(int chain, int loc) {
    tailLoc[chain] = loc;
    set(loc, chain);
  }

  void placeHead(int chain, int loc) {
    headLoc[chain] = loc;
    set(loc, chain);
  }

  /** Adds a vertex after the chain's head. */
  void append(int chain, int x, int y, boolean pinch) {
    int[] b = buf[chain];
    if (hi[chain] + 2 > b.length) {
      b = reserve(chain, 0, 2);
    }
    b[hi[chain]] = pinch ? ~x : x;
    b[hi[chain] + 1] = y;
    hi[chain] += 2;
  }

  /** Adds a vertex before the chain's tail. */
  void prepend(int chain, int x, int y, boolean pinch) {
    int[] b = buf[chain];
    if (lo[chain] < 2) {
      b = reserve(chain, 2, 0);
    }
    lo[chain] -= 2;
    b[lo[chain]] = pinch ? ~x : x;
    b[lo[chain] + 1] = y;
  }

  /** Makes room for {@code front} ints before and {@code back} ints after the content. */
  private int[] reserve(int chain, int front, int back) {
    int[] old = buf[chain];
    int len = hi[chain] - lo[chain];
    int spare = Math.max(16, len);
    int frontRoom = (front > 0 ? Math.max(front, spare) : Math.min(lo[chain], spare)) & ~1;
    int backRoom = back > 0 ? Math.max(back, spare) : Math.min(old.length - hi[chain], spare);
    int[] b = new int[frontRoom + len + backRoom];
    System.arraycopy(old, lo[chain], b, frontRoom, len);
    buf[chain] = b;
    lo[chain] = frontRoom;
    hi[chain] = frontRoom + len;
    return b;
  }

  /**
   * Joins the head of chain {@code from} to the tail of chain {@code to} through vertex
   * {@code (x, y)}. If they are the same chain, the ring is closed: its vertices are left in
   * {@link #closedRing()} and {@link #CLOSED} is returned. Otherwise returns the surviving chain,
   * which keeps {@code from}'s tail and {@code to}'s head.
   */
  int join(int from, int x, int y, boolean pinch, int to) {
    if (from == to) {
      append(from, x, y, pinch);
      closedRing = Arrays.copyOfRange(buf[from], lo[from], hi[from]);
      release(from);
      return CLOSED;
    }
    int lenFrom = hi[from] - lo[from];
    int lenTo = hi[to] - lo[to];
    if (lenFrom >= lenTo) {
      append(from, x, y, pinch);
      int[] b = buf[from];
      if (hi[from] + lenTo > b.length) {
        b = reserve(from, 0, lenTo);
      }
      System.arraycopy(buf[to], lo[to], b, hi[from], lenTo);
      hi[from] += lenTo;
      placeHead(from, headLoc[to]);
      release(to);
      return from;
    }
    prepend(to, x, y, pinch);
    int[] b = buf[to];
    if (lo[to] < lenFrom) {
      b = reserve(to, lenFrom, 0);
    }
    lo[to] -= lenFrom;
    System.arraycopy(buf[from], lo[from], b, lo[to], lenFrom);
    placeTail(to, tailLoc[from]);
    release(from);
    return to;
  }
}
