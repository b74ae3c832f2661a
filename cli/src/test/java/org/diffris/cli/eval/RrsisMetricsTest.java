package org.diffris.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of model/diffris/metrics.py, case by case. */
class RrsisMetricsTest {

  @Test
  void bothEmptyIsOneOnlyOneEmptyIsZero() {
    RrsisMetrics m = new RrsisMetrics();
    assertEquals(1.0, m.add(new boolean[4], new boolean[4], null));
    assertEquals(0.0, m.add(new boolean[] {true, false}, new boolean[2], null));
    assertEquals(0.0, m.add(new boolean[2], new boolean[] {false, true}, null));
    RrsisMetrics.Scores s = m.overall();
    assertEquals(3, s.count());
    assertEquals(1.0 / 3, s.mIoU(), 1e-15);
    // sum I = 0, sum U = 2
    assertEquals(0.0, s.oIoU());
    // the both-empty sample passes every threshold
    for (int k = 0; k < 5; k++) {
      assertEquals(1.0 / 3, s.precisionAt(k), 1e-15);
    }
  }

  @Test
  void thresholdsAreInclusiveAndDecidedOnIntegers() {
    // exactly on each threshold: passes it, fails the next
    long[][] cases = {{1, 2}, {3, 5}, {7, 10}, {4, 5}, {9, 10}};
    for (int k = 0; k < cases.length; k++) {
      long i = cases[k][0];
      long u = cases[k][1];
      assertTrue(RrsisMetrics.passes(i, u, RrsisMetrics.THRESHOLD_PERCENTS[k]), i + "/" + u);
      if (k + 1 < cases.length) {
        assertFalse(RrsisMetrics.passes(i, u, RrsisMetrics.THRESHOLD_PERCENTS[k + 1]));
      }
    }
    // just below 0.7 by one part in a million
    assertFalse(RrsisMetrics.passes(699_999, 1_000_000, 70));
    assertTrue(RrsisMetrics.passes(0, 0, 90));
  }

  @Test
  void overallIsPooledAndTypesAreSorted() {
    RrsisMetrics m = new RrsisMetrics();
    m.add(1, 2, "plural"); // 0.5
    m.add(9, 10, "colour"); // 0.9
    m.add(0, 8, "colour"); // 0
    RrsisMetrics.Scores s = m.overall();
    assertEquals((0.5 + 0.9 + 0) / 3, s.mIoU(), 1e-15);
    assertEquals(10.0 / 20, s.oIoU(), 1e-15);
    assertEquals(2.0 / 3, s.precisionAt(0), 1e-15); // 0.5 and 0.9
    assertEquals(1.0 / 3, s.precisionAt(4), 1e-15); // 0.9 only
    assertEquals(List.of("colour", "plural"), List.copyOf(m.byType().keySet()));
    RrsisMetrics.Scores colour = m.byType().get("colour");
    assertEquals(2, colour.count());
    assertEquals(0.45, colour.mIoU(), 1e-15);
    assertEquals(9.0 / 18, colour.oIoU(), 1e-15);
  }

  @Test
  void emptySetScoresZeroAndBadCountsAreRefused() {
    RrsisMetrics m = new RrsisMetrics();
    assertEquals(0.0, m.overall().mIoU());
    assertEquals(0.0, m.overall().oIoU());
    assertThrows(IllegalArgumentException.class, () -> m.add(3, 2, null));
    assertThrows(IllegalArgumentException.class, () -> m.add(-1, 2, null));
  }
}
