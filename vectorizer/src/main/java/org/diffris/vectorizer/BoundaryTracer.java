package org.diffris.vectorizer;

/**
 * Sweeps one horizontal grid line at a time and links the boundary edges that meet on it into
 * the open {@link BoundaryChains}, closing rings at their lowest line.
 *
 * <p>Line {@code y} lies between row {@code y - 1} ("prev") and row {@code y} ("cur"). The only
 * places where anything happens on it are the ports (run edges) of the two rows, visited left to
 * right; between ports there is at most one horizontal edge, carried as the pending chain end.
 * At a pinch (two in-pixels meeting only at a corner) the edges are paired around each in-pixel
 * ("in-pixels kept apart"), so every ring bounds exactly one 4-connected part; a ring that
 * touches itself there is split later by {@link RingSplitter}. Only turning vertices are stored,
 * so no ring has collinear vertices. Cost: O(runs of the two rows) plus vertex copying.
 */
final class BoundaryTracer {

  /** Receives each ring as it closes. */
  interface RingSink {
    /**
     * @param ring vertex pairs {@code x, y} (pinch vertices with {@code ~x}), first not repeated
     * @param prevRun index of a run in the previous row whose pixels the ring bounds
     */
    void ringClosed(int[] ring, int prevRun);
  }

  private final BoundaryChains chains;

  BoundaryTracer(BoundaryChains chains) {
    this.chains = chains;
  }

  /** Links the edges on line {@code y} between rows {@code prev} (above) and {@code cur}. */
  void traceLine(int y, RowRuns prev, RowRuns cur, RingSink sink) {
    final BoundaryChains ch = chains;
    final int np = prev.count * 2;
    final int nc = cur.count * 2;
    int a = 0;
    int b = 0;
    boolean prevIn = false; // pixel above, left of the current position, is in
    boolean curIn = false; // pixel below, left of the current position, is in
    while (a < np || b < nc) {
      int xa = a < np ? prev.port(a) : Integer.MAX_VALUE;
      int xb = b < nc ? cur.port(b) : Integer.MAX_VALUE;
      int x = Math.min(xa, xb);
      boolean up = xa == x;
      boolean down = xb == x;
      int i = a >> 1;
      int j = b >> 1;
      if (up && down) {
        if (prevIn == curIn) {
          // Straight vertical pass-through: the chain end simply moves down one row.
          if (!prevIn) {
            ch.placeTail(prev.tailChain[i], BoundaryChains.loc(cur, j, false));
          } else {
            ch.placeHead(prev.headChain[i], BoundaryChains.loc(cur, j, true));
          }
        } else if (prevIn) {
          // Pinch, in-pixels upper-left and lower-right: pair (up, left) and (down, right).
          int pendingTail = ch.at(BoundaryChains.PENDING);
          if (ch.join(prev.headChain[i], x, y, true, pendingTail) == BoundaryChains.CLOSED) {
            sink.ringClosed(ch.closedRing(), i);
          }
          int n = ch.create();
          ch.placeTail(n, BoundaryChains.loc(cur, j, false));
          ch.append(n, x, y, true);
          ch.placeHead(n, BoundaryChains.PENDING);
        } else {
          // Pinch, in-pixels upper-right and lower-left: pair (left, down) and (right, up).
          int pendingHead = ch.at(BoundaryChains.PENDING);
          ch.append(pendingHead, x, y, true);
          ch.placeHead(pendingHead, BoundaryChains.loc(cur, j, true));
          int t = prev.tailChain[i];
          ch.prepend(t, x, y, true);
          ch.placeTail(t, BoundaryChains.PENDING);
        }
      } else if (up) {
        if (prevIn != curIn) {
          // The pending horizontal edge ends here and turns up.
          int p = ch.at(BoundaryChains.PENDING);
          int r =
              prevIn
                  ? ch.join(prev.headChain[i], x, y, false, p)
                  : ch.join(p, x, y, false, prev.tailChain[i]);
          if (r == BoundaryChains.CLOSED) {
            sink.ringClosed(ch.closedRing(), i);
          }
        } else if (!prevIn) {
          // Run above starts here, nothing below: edge from the right turns up.
          int t = prev.tailChain[i];
          ch.prepend(t, x, y, false);
          ch.placeTail(t, BoundaryChains.PENDING);
        } else {
          // Run above ends here, in-pixels below on both sides: edge from above turns right.
          int h = prev.headChain[i];
          ch.append(h, x, y, false);
          ch.placeHead(h, BoundaryChains.PENDING);
        }
      } else {
        int p = ch.at(BoundaryChains.PENDING);
        if (prevIn != curIn) {
          // The pending horizontal edge ends here and turns down.
          if (!curIn) {
            ch.prepend(p, x, y, false);
            ch.placeTail(p, BoundaryChains.loc(cur, j, false));
          } else {
            ch.append(p, x, y, false);
            ch.placeHead(p, BoundaryChains.loc(cur, j, true));
          }
        } else {
          // A run below starts or ends under a uniform row above: a new chain turns right.
          int n = ch.create();
          ch.append(n, x, y, false);
          if (!curIn) {
            ch.placeTail(n, BoundaryChains.loc(cur, j, false));
            ch.placeHead(n, BoundaryChains.PENDING);
          } else {
            ch.placeHead(n, BoundaryChains.loc(cur, j, true));
            ch.placeTail(n, BoundaryChains.PENDING);
          }
        }
      }
      if (up) {
        a++;
        prevIn = !prevIn;
      }
      if (down) {
        b++;
        curIn = !curIn;
      }
    }
  }
}
