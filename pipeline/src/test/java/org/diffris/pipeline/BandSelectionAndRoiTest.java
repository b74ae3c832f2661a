package org.diffris.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.GeometryFactory;

class BandSelectionAndRoiTest {
  @Test
  void bandSelectionCountsFromOne() {
    assertArrayEquals(new int[] {3, 2, 1}, BandSelection.parse(" 4, 3,2 ", 4, 3));
    assertArrayEquals(new int[] {0, 1, 2}, BandSelection.parse(null, 4, 3));
    assertArrayEquals(new int[] {0, 0, 0}, BandSelection.parse("1,1,1", 1, 3));
    assertEquals(
        "the model takes 3 bands, the raster has 1 band; give bands with 3 band numbers "
            + "(repeat a band for grey imagery, e.g. 1,1,1)",
        assertThrows(InvalidInputException.class, () -> BandSelection.parse("", 1, 3))
            .getMessage());
    InvalidOptionException zero =
        assertThrows(InvalidOptionException.class, () -> BandSelection.parse("0,1,2", 3, 3));
    assertEquals(
        "--bands '0,1,2' not understood: give band numbers counted from 1, separated by "
            + "commas, e.g. 1,2,3",
        zero.messageFor("--bands"));
    assertEquals(
        "band 4 requested, the raster has 3 bands (numbered from 1)",
        assertThrows(InvalidInputException.class, () -> BandSelection.parse("1,2,4", 3, 3))
            .getMessage());
    assertEquals(
        "bands lists 2 bands (1,2), the model takes 3",
        assertThrows(InvalidOptionException.class, () -> BandSelection.parse("1,2", 3, 3))
            .getMessage());
    assertThrows(InvalidOptionException.class, () -> BandSelection.checkSyntax("1,,2"));
    assertThrows(InvalidOptionException.class, () -> BandSelection.checkSyntax("a"));
  }

  @Test
  void roiMaskKeepsPixelCentresInsideWithHoles() {
    GeometryFactory gf = new GeometryFactory();
    var outer = gf.toGeometry(new Envelope(0, 10, 0, 4));
    var hole = gf.toGeometry(new Envelope(4, 6, 1, 3));
    var roi = outer.difference(hole);
    RoiMask mask = new RoiMask(roi, org.diffris.vectorizer.PixelToWorld.identity());
    int w = 12;
    int h = 5;
    float[] p = new float[w * h];
    byte[] valid = new byte[w * h];
    java.util.Arrays.fill(p, 1f);
    java.util.Arrays.fill(valid, (byte) 1);
    mask.apply(0, w, h, p, valid);
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        boolean inside =
            roi.contains(
                gf.createPoint(new org.locationtech.jts.geom.Coordinate(c + 0.5, r + 0.5)));
        assertEquals(inside ? 1 : 0, valid[r * w + c], "pixel " + c + "," + r);
        assertEquals(inside ? 1f : 0f, p[r * w + c]);
      }
    }
  }
}
