package org.diffris.vectorizer;

/**
 * The runs of in-pixels of one mask row, plus what the sweep attaches to each run.
 *
 * <p>Invariant: runs {@code [starts[k], ends[k])} are maximal, sorted and separated by at least
 * one out pixel, so the run boundaries {@code starts[0] < ends[0] < starts[1] < ...} are the
 * positions of the row's vertical boundary edges ("ports"). {@code part[k]} is the 4-connected
 * part label of run {@code k}; {@code tailChain[k]} / {@code headChain[k]} are the open boundary
 * chains whose tail / head end is the run's left / right vertical edge.
 */
final class RowRuns {

  /** Which of the two alternating banks this is; part of a chain end's location. */
  final int bank;

  final int[] starts;
  final int[] ends;
  final double[] sums;
  final int[] part;
  final int[] tailChain;
  final int[] headChain;
  int count;

  RowRuns(int bank, int width) {
    int capacity = width / 2 + 1;
    this.bank = bank;
    this.starts = new int[capacity];
    this.ends = new int[capacity];
    this.sums = new double[capacity];
    this.part = new int[capacity];
    this.tailChain = new int[capacity];
    this.headChain = new int[capacity];
  }

  /** Port {@code p}: the left edge of run {@code p / 2} when even, its right edge when odd. */
  int port(int p) {
    return (p & 1) == 0 ? starts[p >> 1] : ends[p >> 1];
  }
}
