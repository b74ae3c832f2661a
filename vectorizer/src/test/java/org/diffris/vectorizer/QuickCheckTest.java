package org.diffris.vectorizer;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.operation.valid.IsValidOp;

class QuickCheckTest {
  @Test
  void randomMasks() {
    for (int seed = 0; seed < 3000; seed++) {
      int w = 1 + seed % 13;
      int h = 1 + (seed / 13) % 11;
      byte[] m = TestMasks.random(seed, w, h, 0.3 + (seed % 5) * 0.1, seed % 2 == 0);
      for (Connectivity conn : Connectivity.values()) {
        String ctx = "seed " + seed + " " + conn + "\n" + TestMasks.show(m, w, h);
        List<VectorizedRegion> out;
        try {
          out = TestMasks.vectorize(m, w, h, conn);
        } catch (RuntimeException e) {
          throw new AssertionError(ctx, e);
        }
        List<Geometry> gs = new ArrayList<>();
        for (VectorizedRegion r : out) {
          IsValidOp op = new IsValidOp(r.geometry());
          assertTrue(op.isValid(), ctx + op.getValidationError() + "\n" + r.geometry());
          gs.add(r.geometry());
          assertEquals(r.pixelCount(), r.geometry().getArea(), 1e-9, ctx);
        }
        int[] cover = TestMasks.coverCount(gs, w, h);
        for (int i = 0; i < m.length; i++) {
          assertEquals(m[i], cover[i], ctx + " pixel " + i + "\n" + gs);
        }
        assertEquals(TestMasks.componentSizes(m, w, h, conn == Connectivity.EIGHT).size(), out.size(), ctx);
      }
    }
  }
}
