package org.diffris.spark;

import java.io.Serializable;
import org.diffris.pipeline.WindowPiece;
import org.diffris.vectorizer.PixelBounds;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;

/**
 * A {@link WindowPiece} cut by a window's side, on its way to the task that merges the pieces
 * of its raster and query: the outline as WKB in raster pixel coordinates, and the sums.
 */
record PieceRecord(
    String source,
    String query,
    String scaleRule,
    byte[] pixelOutline,
    long pixels,
    double probabilitySum,
    double areaSquareMetres,
    int x0,
    int y0,
    int x1,
    int y1)
    implements Serializable {

  static PieceRecord of(String source, String query, String scaleRule, WindowPiece piece) {
    PixelBounds b = piece.bounds();
    return new PieceRecord(
        source,
        query,
        scaleRule,
        new WKBWriter().write(piece.pixelGeometry()),
        piece.pixels(),
        piece.probabilitySum(),
        piece.areaSquareMetres(),
        b.minColumn(),
        b.minRow(),
        b.maxColumn(),
        b.maxRow());
  }

  WindowPiece piece() {
    try {
      return new WindowPiece(
          new WKBReader().read(pixelOutline),
          pixels,
          probabilitySum,
          areaSquareMetres,
          new PixelBounds(x0, y0, x1, y1),
          true);
    } catch (ParseException e) {
      throw new IllegalStateException("a piece's outline did not survive the shuffle", e);
    }
  }

  /** Pieces merge within one raster and query. */
  String group() {
    return source + '\u0000' + query;
  }
}
