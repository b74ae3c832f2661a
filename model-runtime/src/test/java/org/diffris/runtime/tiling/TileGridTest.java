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
    "100,80,32,8,0,0",
    "32,32,32,8,0,0",
    "33,31,32,8,5,-7",
    "20,200,32,0,1000003,17",
    "1,1,64,16,47,48",
    "1000,7,64,31,-33,2",
    "257,129,64,16,402000,-5059000"
  })
  void everyPixelIsInATileAndTilesSitOnTheWorldGrid(
      int w, int h, int size, int overlap, long startX, long startY) {
    TileGrid grid = new TileGrid(w, h, size, overlap, startX, startY);
    int step = size - overlap;
    int[] covered = new int[w * h];
    for (int j = 0; j < grid.rowCount(); j++) {
      for (int i = 0; i < grid.columnCount(); i++) {
        int x = grid.x(i);
        int y = grid.y(j);
        assertEquals(0, Math.floorMod(startX + x, step), "column origin on the world grid");
        assertEquals(0, Math.floorMod(startY + y, step), "row origin on the world grid");
        assertTrue(x + step > 0 && x < w && y + step > 0 && y < h, "first step meets the raster");
        for (int r = Math.max(0, y); r < Math.min(h, y + size); r++) {
          for (int c = Math.max(0, x); c < Math.min(w, x + size); c++) {
            covered[r * w + c]++;
          }
        }
      }
    }
    for (int i = 0; i < covered.length; i++) {
      assertTrue(covered[i] >= 1, "pixel " + i + " uncovered");
    }
    for (int i = 1; i < grid.columnCount(); i++) {
      assertEquals(step, grid.x(i) - grid.x(i - 1));
    }
    assertEquals(h, grid.finalRowsEnd(grid.rowCount() - 1));
  }

  @ParameterizedTest
  @CsvSource({"0,0", "1,1", "13,29", "48,96", "47,95"})
  void aWindowRunsTheWholeRastersTilesThatLieInsideIt(int offX, int offY) {
    TileGrid whole = new TileGrid(400, 300, 64, 16, 402000, 5059000);
    TileGrid window = new TileGrid(200, 150, 64, 16, 402000 + offX, 5059000 + offY);
    java.util.Set<String> inWindow = new java.util.HashSet<>();
    for (int j = 0; j < window.rowCount(); j++) {
      for (int i = 0; i < window.columnCount(); i++) {
        inWindow.add((window.x(i) + offX) + "," + (window.y(j) + offY));
      }
    }
    int inside = 0;
    for (int j = 0; j < whole.rowCount(); j++) {
      for (int i = 0; i < whole.columnCount(); i++) {
        int x = whole.x(i) - offX;
        int y = whole.y(j) - offY;
        if (x >= 0 && y >= 0 && x + 64 <= 200 && y + 64 <= 150) {
          inside++;
          assertTrue(inWindow.contains(whole.x(i) + "," + whole.y(j)), "tile at " + x + "," + y);
        }
      }
    }
    assertTrue(inside >= 2, "the window holds whole tiles");
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
