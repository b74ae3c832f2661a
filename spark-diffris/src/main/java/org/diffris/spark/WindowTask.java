package org.diffris.spark;

import java.io.Serializable;
import org.diffris.vectorizer.PixelBounds;

/**
 * One window of one raster, as the planning stage hands it to a task.
 *
 * @param source the raster, as listed
 * @param scaleRule the value scaling the whole raster's plan resolved (so windows agree)
 * @param x0 the core's first column
 * @param y0 the core's first row
 * @param x1 the column after the core's last
 * @param y1 the row after the core's last
 */
record WindowTask(String source, String scaleRule, int x0, int y0, int x1, int y1)
    implements Serializable {

  WindowTask(String source, String scaleRule, PixelBounds core) {
    this(source, scaleRule, core.minColumn(), core.minRow(), core.maxColumn(), core.maxRow());
  }

  PixelBounds core() {
    return new PixelBounds(x0, y0, x1, y1);
  }

  @Override
  public String toString() {
    return "columns " + x0 + "-" + x1 + ", rows " + y0 + "-" + y1;
  }
}
