package org.diffris.runtime.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TileGridTest {

  @ParameterizedTest
  @CsvSource({
    "100,80,32,8",
    "32,32,32,8",
    "33,31,32,8",
    "20,200,32,0",
    "1,1,64,16",
    "1000,7,64,31",
    "257,129,64,16"
  })
  void everyPixelIsInATileAndEveryTileInsideTheRaster(int w, int h, int size, int overlap) {
    TileGrid grid = new TileGrid(w, h, size, overlap);
    int[] covered = new int[w * h];
    for (int j = 0; j < grid.rowCount(); j++) {
      for (int i = 0; i < grid.columnCount(); i++) {
        int x = grid.x(i);
        int y = grid.y(j);
        assertTrue(x >= 0 && y >= 0, "origin inside");
        assertTrue(x + grid.tileWidth() <= w && y + grid.tileHeight() <= h, "tile ends inside");
        for (int r = y; r < y + grid.tileHeight(); r++) {
          for (int c = x; c < x + grid.tileWidth(); c++) {
            covered[r * w + c]++;
          }
        }
      }
    }
    for (int i = 0; i < covered.length; i++) {
      assertTrue(covered[i] >= 1, "pixel " + i + " uncovered");
    }
    // Origins increase strictly, step at most size - overlap, last tile flush with the edge.
    for (int i = 1; i < grid.columnCount(); i++) {
      assertTrue(grid.x(i) > grid.x(i - 1) && grid.x(i) - grid.x(i - 1) <= size - overlap);
    }
    assertEquals(w, grid.x(grid.columnCount() - 1) + grid.tileWidth());
    assertEquals(h, grid.y(grid.rowCount() - 1) + grid.tileHeight());
    assertEquals(h, grid.finalRowsEnd(grid.rowCount() - 1));
  }

  @Test
  void badSettingsAreRefusedWithTheRange() {
    String m =
        assertThrows(IllegalArgumentException.class, () -> new TileGrid(10, 10, 8, 8)).getMessage();
    assertTrue(m.contains("0 to 7"), m);
    assertThrows(IllegalArgumentException.class, () -> new TileGrid(0, 10, 8, 0));
  }

  @Test
  void windowIsOneInsideTaperedInTheOverlapAndNeverZero() {
    TileWindow w = new TileWindow(64, 16);
    assertEquals(1.0, w.weight(16));
    assertEquals(1.0, w.weight(47));
    for (int i = 0; i < 64; i++) {
      assertTrue(w.weight(i) >= TileWindow.FLOOR && w.weight(i) <= 1);
      assertEquals(w.weight(i), w.weight(63 - i), 1e-15);
    }
    for (int i = 1; i < 16; i++) {
      assertTrue(w.weight(i) > w.weight(i - 1));
    }
    // Neighbours overlapping by exactly the overlap sum to one there: a smooth hand-over.
    for (int i = 0; i < 16; i++) {
      assertEquals(1.0, w.weight(48 + i) + w.weight(i), 1e-12);
    }
  }
}
