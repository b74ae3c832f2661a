package org.diffris.vectorizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The simple rings of one complete 4-connected part, in pixel-corner coordinates: exactly one
 * shell (positive shoelace area in pixel space) and any number of holes, each as {@code x, y}
 * pairs without the closing vertex. Holes belong to the shell because the tracer attached every
 * ring to the part label of the pixels it bounds, not by any point-in-polygon test.
 */
final class PartShape {

  final int[] shell;
  final int[][] holes;

  private PartShape(int[] shell, int[][] holes) {
    this.shell = shell;
    this.holes = holes;
  }

  /** Splits pinched rings and separates the shell from the holes. */
  static PartShape of(List<int[]> tracedRings) {
    List<int[]> simple = new ArrayList<>(tracedRings.size() + 2);
    for (int[] ring : tracedRings) {
      RingSplitter.split(ring, simple);
    }
    int[] shell = null;
    int[][] holes = new int[simple.size() - 1][];
    int h = 0;
    for (int[] ring : simple) {
      if (RingSplitter.doubleSignedArea(ring) > 0) {
        if (shell != null) {
          throw new IllegalStateException("internal error: a 4-connected part has two shells");
        }
        shell = ring;
      } else {
        if (h == holes.length) {
          throw new IllegalStateException("internal error: a 4-connected part has no shell");
        }
        holes[h++] = ring;
      }
    }
    return new PartShape(shell, holes);
  }
}
